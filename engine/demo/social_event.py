"""Demo cases for `casegrid init --demo`: a living district to click through.

Every case is driven through the engine's commands (start, claim, complete) as the demo users
of rules/demo_users.yaml, so work items, audit trail and time limits are exactly what production would
write. Each case is one transaction and is recognised by its title and reporter on a re-run, so seeding
is idempotent. The one liberty taken: a few cases are *aged* afterwards (their opening time and the open
work item's creation and due time moved into the past) so dashboards show overdue work on day one.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.commands.cases import start as start_case
from engine.commands.tasks import claim, complete
from engine.definitions.service import latest_version
from engine.org.service import actor_for
from engine.sla.clocks import schedule
from engine.store.database import Database
from engine.store.models.cases import Case
from engine.store.models.sla import SlaClock
from engine.store.models.tasks import WorkItem
from engine.store.statuses import ClockStatus, WorkItemStatus

PROCESS = "social_event"
T = TypeVar("T")


@dataclass(frozen=True)
class DemoCase:
    title: str
    category: str
    grid_cell: str
    address: str
    description: str
    channel: str  # grid_worker | hotline | citizen
    path: str  # how far the case goes, see PATHS
    age_days: int = 0  # > 0: moved into the past so it looks overdue


def grid_worker_of(cell: str) -> str:
    return f"gw_{cell.lower()}"


def handler_of(department: str) -> str:
    return f"{department.lower()}_h1"


CASES: tuple[DemoCase, ...] = (
    DemoCase("湖贝路口暴露垃圾", "0102", "S03C01G01", "湖贝路与东门中路交叉口", "垃圾桶旁堆放生活垃圾约两立方米", "grid_worker", "closed"),
    DemoCase("立新路人行道积存渣土", "0103", "S03C02G01", "立新路12号对面人行道", "装修渣土堆放已三天，影响通行", "hotline", "evaluating"),
    DemoCase("城东社区楼顶私搭乱建", "0101", "S03C03G02", "城东社区东门北路28栋天台", "天台新搭建彩钢棚约30平方米", "citizen", "handling"),
    DemoCase("桂园路道路不洁", "0104", "S01C01G01", "桂园路红宝路口至松园路段", "路面油污和落叶未清扫", "grid_worker", "verifying"),
    DemoCase("老围社区废弃沙发", "0107", "S01C02G01", "老围东一巷5号门口", "废弃沙发床垫堆放在巷口", "grid_worker", "rework"),
    DemoCase("大塘龙公厕脏乱", "0110", "S01C03G02", "大塘龙社区公园公厕", "公厕地面积水、异味大", "hotline", "closing"),
    DemoCase("黄贝岭村小广告", "0201", "S02C01G01", "黄贝岭村中路电线杆", "电线杆和墙面贴满办证小广告", "grid_worker", "dispatch"),
    DemoCase("新秀路广告招牌破损", "0203", "S02C02G02", "新秀路118号商铺", "招牌一角脱落，有坠落危险", "citizen", "accepted"),
    DemoCase("文华社区工地夜间施工", "0301", "S02C03G01", "文华路在建住宅项目", "晚上十一点后仍在打桩", "hotline", "returned"),
    DemoCase("翠竹路施工占道", "0305", "S04C01G01", "翠竹路翠竹苑门口", "施工围挡占用一条机动车道无公示", "grid_worker", "arbitration"),
    DemoCase("水贝珠宝街店外经营", "0402", "S04C02G01", "水贝二路珠宝城东门", "多家商铺在人行道摆放柜台", "grid_worker", "extension_pending"),
    DemoCase("民新社区非机动车乱停放", "0405", "S04C03G02", "民新路地铁站C出口", "共享单车堆满出口通道", "grid_worker", "extended"),
    DemoCase("渔邨路机动车乱停放", "0404", "S05C01G01", "渔邨路小学门口", "上下学时段车辆双排停放", "hotline", "cohandling"),
    DemoCase("罗湖社区井盖缺失", "0507", "S05C02G02", "人民南路罗湖商业城侧", "人行道井盖缺失，已用锥桶临时围挡", "citizen", "closed"),
    DemoCase("向西村露天烧烤", "0407", "S05C03G01", "向西村三巷", "夜间露天烧烤油烟扰民", "hotline", "cancelled"),
    DemoCase("东门步行街流动商贩", "0401", "S03C01G02", "东门步行街文化广场", "流动商贩占道售卖水果", "grid_worker", "handling", 3),
    DemoCase("桂园路供水管破裂", "0502", "S01C01G02", "桂园路与宝安南路交叉口", "路面冒水，水流较大", "hotline", "handling", 2),
    DemoCase("黄贝岭下水道堵塞", "0504", "S02C01G02", "黄贝岭中村12巷", "下水道反味并外溢", "citizen", "accepted", 4),
    DemoCase("翠竹公园树木倒伏", "0508", "S04C01G02", "翠竹公园北门", "台风后一棵榕树倒伏压住围栏", "grid_worker", "verifying", 2),
    DemoCase("南湖路面积水", "0505", "S05C02G01", "南湖路火车站东广场", "暴雨后积水约20厘米", "grid_worker", "closed"),
    DemoCase("湖贝河道水面漂浮物", "0105", "S03C01G01", "布吉河湖贝段", "水面大量塑料漂浮物", "grid_worker", "closed"),
    DemoCase("老围社区乱堆物堆料", "0108", "S01C02G02", "老围西二巷", "建材堆放占用消防通道", "citizen", "returned"),
    DemoCase("新秀村违规悬挂横幅", "0205", "S02C02G01", "新秀村牌坊", "商业横幅悬挂在牌坊上", "grid_worker", "closed"),
    DemoCase("文华路道路遗撒", "0303", "S02C03G02", "文华路泥头车出入口", "泥头车遗撒泥土约50米", "grid_worker", "rework"),
    DemoCase("水贝工地扬尘", "0302", "S04C02G02", "水贝一路在建项目", "工地裸土未覆盖，大风扬尘", "hotline", "closing"),
    DemoCase("民新路黑车拉客", "0406", "S04C03G01", "民新路长途车站", "多辆无牌车辆拉客", "citizen", "dispatch"),
    DemoCase("渔邨社区噪声扰民", "0410", "S05C01G02", "渔邨花园6栋", "楼下商铺音响声音过大", "hotline", "reported"),
    DemoCase("罗湖口岸散发广告", "0204", "S05C02G01", "罗湖口岸出境大厅外", "有人散发招揽住宿的广告", "grid_worker", "reported"),
    DemoCase("向西路绿地养护不到位", "0601", "S05C03G02", "向西路中央绿化带", "绿化带大面积枯死未补植", "grid_worker", "handling", 8),
    DemoCase("桂园公厕门口流浪人员", "0408", "S01C01G01", "桂园公园南门", "流浪人员长期在门口露宿", "hotline", "closed"),
    DemoCase("城东路占道废品收购", "0403", "S03C03G01", "城东路菜市场后门", "废品收购点占用人行道", "grid_worker", "evaluating"),
    DemoCase("黄贝路无证掘路", "0306", "S02C01G01", "黄贝路黄贝岭地铁站A口", "夜间开挖路面，未见许可公示", "citizen", "handling"),
    # Emergency categories: registering starts a linked emergency case and the event waits for it (issue 6).
    DemoCase("翠竹北路燃气异味", "0503", "S04C01G01", "翠竹北路翠拥华庭3栋", "楼道内有明显燃气味", "hotline", "dispatch"),
    DemoCase("东门路城市内涝", "0506", "S03C02G02", "东门路与解放路交叉口", "暴雨后路口积水过膝，车辆熄火", "grid_worker", "dispatch"),
    DemoCase("大塘龙焚烧树叶", "0109", "S01C03G01", "大塘龙社区篮球场边", "有人焚烧落叶，烟雾大", "grid_worker", "cancelled"),
    DemoCase("南湖社区毁绿占绿", "0602", "S05C01G01", "渔邨路绿化带", "商户在绿化带内搭建停车位", "grid_worker", "extension_pending", 5),
)


class Driver:
    """Acts on one case as the users the step belongs to, inside the seeding transaction."""

    def __init__(self, session: Session, case_id: int) -> None:
        self.session = session
        self.case_id = case_id

    def item(self, task_spec: str) -> WorkItem:
        return self.session.scalars(select(WorkItem).where(
            WorkItem.case_id == self.case_id, WorkItem.status == WorkItemStatus.OPEN, WorkItem.task_spec == task_spec)).first()

    def do(self, task_spec: str, username: str, data: dict[str, Any]) -> None:
        item = self.item(task_spec)
        if item is None:
            raise RuntimeError(f"demo case {self.case_id}: no open '{task_spec}' task")
        actor = actor_for(self.session, username)
        claim(self.session, actor, item.id)
        complete(self.session, actor, item.id, data)

    @property
    def department(self) -> str:
        return str(self.session.get(Case, self.case_id).department)


def _register(d: Driver, _c: DemoCase) -> None:
    d.do("register", "dispatcher1", {"register_decision": "register"})


def _dispatch(d: Driver, _c: DemoCase, assisting: list[str] | None = None) -> None:
    d.do("dispatch", "dispatcher1", {"dispatch_choice": "accept", "assisting_departments": assisting or []})


def _accept(d: Driver, _c: DemoCase) -> None:
    d.do("handle", handler_of(d.department), {"handle_decision": "accept"})


def _feedback(d: Driver, _c: DemoCase) -> None:
    d.do("feedback", handler_of(d.department), {"result_summary": "已安排人员到场处置完毕，现场已恢复",
                                                "result_photos": [{"name": "after.jpg", "content_type": "image/jpeg",
                                                                   "size": 182311}]})


def _verify(d: Driver, c: DemoCase, solved: bool = True) -> None:
    data = {"verify_result": "solved"} if solved else {"verify_result": "not_solved",
                                                       "verify_note": "现场仍有残留，未达到结案条件"}
    d.do("verify", grid_worker_of(c.grid_cell), data)


def _close(d: Driver, _c: DemoCase) -> None:
    d.do("close", "dispatcher2", {"closure_confirmed": True, "closure_note": "核查通过，予以结案"})


def _return(d: Driver, _c: DemoCase) -> None:
    d.do("handle", handler_of(d.department), {"handle_decision": "return",
                                              "return_reason": "该事项不属于本单位职责，建议由属地街道处理"})


def _request_extension(d: Driver, _c: DemoCase) -> None:
    d.do("handle", handler_of(d.department), {"handle_decision": "extension", "extension_value": 2,
                                              "extension_unit": "working_days",
                                              "extension_reason": "需协调产权单位，无法按期完成"})


def _closed(d: Driver, c: DemoCase) -> None:
    _until_close(d, c)
    if d.item("evaluate") is not None:  # only cases from citizens are called back
        d.do("evaluate", "hotline1", {"satisfaction": "satisfied"})


def _until_verify(d: Driver, c: DemoCase) -> None:
    for step in (_register, _dispatch, _accept, _feedback):
        step(d, c)


def _until_close(d: Driver, c: DemoCase) -> None:
    _until_verify(d, c)
    _verify(d, c)
    _close(d, c)


PATHS: dict[str, Callable[[Driver, DemoCase], None]] = {
    "reported": lambda d, c: None,
    "cancelled": lambda d, c: d.do("register", "dispatcher2", {"register_decision": "cancel",
                                                                "cancel_reason": "duplicate",
                                                                "cancel_note": "与上一宗同地点上报重复"}),
    "dispatch": _register,
    "handling": lambda d, c: (_register(d, c), _dispatch(d, c)),
    "accepted": lambda d, c: (_register(d, c), _dispatch(d, c), _accept(d, c)),
    "cohandling": lambda d, c: (_register(d, c), _dispatch(d, c, ["jd_S05", "jiaotong"]), _accept(d, c),
                                _feedback(d, c)),
    "returned": lambda d, c: (_register(d, c), _dispatch(d, c), _return(d, c)),
    "arbitration": lambda d, c: (_register(d, c), _dispatch(d, c), _return(d, c), _dispatch(d, c), _return(d, c)),
    "extension_pending": lambda d, c: (_register(d, c), _dispatch(d, c), _request_extension(d, c)),
    "extended": lambda d, c: (_register(d, c), _dispatch(d, c), _request_extension(d, c),
                              d.do("review_extension", "supervisor1", {"extension_decision": "approve"})),
    "verifying": _until_verify,
    "rework": lambda d, c: (_until_verify(d, c), _verify(d, c, solved=False)),
    "closing": lambda d, c: (_until_verify(d, c), _verify(d, c)),
    "evaluating": _until_close,
    "closed": lambda d, c: _closed(d, c),
}


def _reporter(case: DemoCase) -> str:
    return grid_worker_of(case.grid_cell) if case.channel == "grid_worker" else "hotline1"


def _report(case: DemoCase) -> dict[str, Any]:
    data: dict[str, Any] = {"title": case.title, "category": case.category, "grid_cell": case.grid_cell,
                            "address": case.address, "description": case.description,
                            "report_channel": case.channel,
                            "photos": [{"name": "scene.jpg", "content_type": "image/jpeg", "size": 204800}]}
    if case.channel != "grid_worker":
        data.update(caller_name="市民", caller_phone="13900000000")
    return data


def _age(session: Session, case_id: int, days: int) -> None:
    """Demo only: move the case's opening and its open work into the past so it shows as overdue."""
    shift = timedelta(days=days)
    case = session.get(Case, case_id)
    case.opened_at = case.opened_at - shift
    session.execute(update(WorkItem).where(WorkItem.case_id == case_id).values(case_opened_at=case.opened_at))
    for item in session.scalars(select(WorkItem).where(WorkItem.case_id == case_id, WorkItem.status == WorkItemStatus.OPEN)):
        item.created_at = item.created_at - shift
        item.due_at = (item.due_at or datetime.now(UTC)) - shift
    # An item under an SLA policy shows its clock's deadline: age the clock and let it recompute the
    # due time and its timers (the worker then marks it at risk/overdue and escalates, as it would have).
    for clock in session.scalars(select(SlaClock).where(SlaClock.case_id == case_id, SlaClock.status == ClockStatus.RUNNING)):
        clock.started_at = clock.started_at - shift
        schedule(session, clock, session.get(WorkItem, clock.work_item_id), datetime.now(UTC))


def _exists(session: Session, case: DemoCase) -> bool:
    return session.scalars(select(Case.id).where(Case.process_key == PROCESS, Case.title == case.title,
                                                 Case.opened_by == _reporter(case))).first() is not None


def seed_each(db: Database, process_key: str, entries: Iterable[T], seeded: Callable[[Session, T], bool],
              create: Callable[[Session, T], None]) -> int:
    """Create each demo entry not yet there, one transaction each; returns how many were created. Nothing
    happens while the process is not deployed."""
    with db.transaction(readonly=True) as session:
        if latest_version(session, process_key) is None:
            return 0
    started = 0
    for entry in entries:
        with db.transaction() as session:
            if seeded(session, entry):
                continue
            create(session, entry)
            started += 1
    return started


def _create(session: Session, case: DemoCase) -> None:
    created = start_case(session, actor_for(session, _reporter(case)), PROCESS, _report(case))
    PATHS[case.path](Driver(session, created.id), case)
    if case.age_days:
        _age(session, created.id, case.age_days)


def seed_demo_cases(db: Database) -> int:
    """Seed realistic cases in different steps; returns how many were started. Idempotent."""
    return seed_each(db, PROCESS, CASES, _exists, _create)
