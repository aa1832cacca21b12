"""Demo licensing applications for `casegrid init --demo`: the service window's desk in several states.

Driven like the social-event demo (engine.demo.social_event): through the real services, as the demo users of
rules/demo_users.yaml (window staff, each reviewing department's handler), one transaction per
application, recognised by its title on a re-run.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.commands.cases import start as start_case
from engine.commands.tasks import claim, complete
from engine.demo.social_event import seed_each
from engine.org.service import actor_for
from engine.store.database import Database
from engine.store.models.cases import Case
from engine.store.models.tasks import WorkItem
from engine.store.statuses import WorkItemStatus

PROCESS = "licensing"
WINDOW = "window1"

# What each licence type asks for (rules/licensing_materials.dmn); an application may leave one out.
MATERIALS: dict[str, tuple[str, ...]] = {
    "food_business": ("application_form", "business_licence", "id_card", "premises_layout", "food_safety_rules",
                      "staff_health_certs"),
    "public_venue_hygiene": ("application_form", "business_licence", "hygiene_inspection_report",
                             "premises_layout", "staff_health_certs"),
    "outdoor_advertising": ("application_form", "business_licence", "design_drawings",
                            "structural_safety_report", "site_ownership_consent"),
    "road_occupation": ("application_form", "construction_plan", "traffic_management_plan", "site_map"),
}


@dataclass(frozen=True)
class DemoApplication:
    title: str
    applicant: str
    applicant_id: str
    licence_type: str
    path: str  # how far it goes, see PATHS
    left_out: str | None = None  # a material not handed in: the window issues a notice to supplement


APPLICATIONS: tuple[DemoApplication, ...] = (
    DemoApplication("食品经营许可 张记面馆", "张记面馆", "92440303MA5G0A1X1K", "food_business", "received"),
    DemoApplication("公共场所卫生许可 悦庭酒店", "深圳悦庭酒店管理有限公司", "91440303MA5G0B2Y2M", "public_venue_hygiene",
                    "supplement", left_out="hygiene_inspection_report"),
    DemoApplication("食品经营许可 湘味小厨", "湘味小厨餐饮店", "92440303MA5G0C3Z3P", "food_business", "review"),
    DemoApplication("临时占用道路许可 东门路燃气管线维修", "深圳燃气集团罗湖分公司", "91440300MA5G0D4A4Q",
                    "road_occupation", "review"),
    DemoApplication("户外广告设置许可 国贸商业大厦", "国贸商业大厦物业管理有限公司", "91440303MA5G0E5B5R",
                    "outdoor_advertising", "deciding"),
    DemoApplication("食品经营许可 春风烘焙", "春风烘焙坊", "92440303MA5G0F6C6S", "food_business", "issued"),
)


class Desk:
    """Works one application's open tasks as the users they belong to, inside the seeding transaction."""

    def __init__(self, session: Session, case_id: int) -> None:
        self.session = session
        self.case_id = case_id

    def open_items(self, task_spec: str) -> list[WorkItem]:
        return list(self.session.scalars(select(WorkItem).where(
            WorkItem.case_id == self.case_id, WorkItem.status == WorkItemStatus.OPEN, WorkItem.task_spec == task_spec)
            .order_by(WorkItem.department)))

    def do(self, task_spec: str, data: dict[str, Any], username: str = WINDOW) -> None:
        items = self.open_items(task_spec)
        if not items:
            raise RuntimeError(f"demo application {self.case_id}: no open '{task_spec}' task")
        self._work(items[0], data, username)

    def review_all(self) -> None:
        for item in self.open_items("review_task"):
            self._work(item, {"opinion": "approve", "comments": "材料齐全，符合条件"}, f"{item.department}_h1")

    def _work(self, item: WorkItem, data: dict[str, Any], username: str) -> None:
        actor = actor_for(self.session, username)
        claim(self.session, actor, item.id)
        complete(self.session, actor, item.id, data)


def _accept(desk: Desk) -> None:
    desk.do("accept", {"acceptance_decision": "accept"})


def _decide(desk: Desk) -> None:
    _accept(desk)
    desk.review_all()


def _issue(desk: Desk) -> None:
    _decide(desk)
    desk.do("decide", {"licence_decision": "grant"})
    desk.do("issue", {"licence_no": f"JY1440303{desk.case_id:07d}", "valid_until": "2031-11-23",
                      "delivered_on": "2026-11-25"})


PATHS: dict[str, Callable[[Desk], None]] = {
    "received": lambda desk: None,
    "supplement": lambda desk: desk.do("accept", {"acceptance_decision": "supplement"}),
    "review": _accept,
    "deciding": _decide,
    "issued": _issue,
}


def _application(demo: DemoApplication) -> dict[str, Any]:
    materials = [m for m in MATERIALS[demo.licence_type] if m != demo.left_out]
    return {"title": demo.title, "applicant": demo.applicant, "applicant_id": demo.applicant_id,
            "contact_phone": "13800000000", "licence_type": demo.licence_type, "materials_submitted": materials}


def _seeded(session: Session, demo: DemoApplication) -> bool:
    return session.scalars(select(Case.id).where(Case.process_key == PROCESS, Case.title == demo.title)).first() \
        is not None


def _create(session: Session, demo: DemoApplication) -> None:
    created = start_case(session, actor_for(session, WINDOW), PROCESS, _application(demo))
    PATHS[demo.path](Desk(session, created.id))


def seed_demo_applications(db: Database) -> int:
    """Seed applications at each stage of the statutory path; returns how many were started. Idempotent."""
    return seed_each(db, PROCESS, APPLICATIONS, _seeded, _create)
