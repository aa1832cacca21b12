"""Chinese for the API reference page, the profile's password change and the dashboard's period errors."""
from __future__ import annotations

ZH_SMALL: dict[str, str] = {
    # the API reference (/api/docs)
    "API reference": "API 接口文档",
    "Every operation of the REST API, from its description. Programs authenticate with a bearer token from your "
    "profile page; tried out here, requests run as you.":
        "REST API 的全部接口及其说明。程序使用个人资料页中的 Bearer 令牌认证；在本页试用接口时，请求以您本人的身份执行。",
    "Your API token": "我的 API 令牌",
    "Download the API description (JSON)": "下载接口描述文件（JSON）",
    "The API reference component is not installed (run make assets).": "接口文档组件未安装（请运行 make assets）。",
    "An administrator issued you a token; your roles do not create new ones.":
        "您的令牌由系统管理员签发；您的岗位不能自行创建令牌。",
    # the profile's password change
    "Change password": "修改密码",
    "Current password": "当前密码",
    "New password": "新密码",
    "New password again": "再次输入新密码",
    "At least 8 characters.": "至少 8 个字符。",
    "The password is too long.": "密码过长。",
    "Your password has been changed; you were signed out everywhere else.": "密码已修改，您在其他设备和浏览器上的登录已全部退出。",
    "Your password was changed; sign in again with the new one.": "您的密码已修改，请使用新密码重新登录。",
    "The search text was too long; only its first {n} characters were searched.":
        "搜索内容过长，只按前 {n} 个字进行了搜索。",
    # the dashboard's period, said beside the field that is wrong
    "Choose one of the listed periods.": "请选择列表中的统计周期。",
    "Enter a date such as 2026-12-01.": "请输入有效日期，例如 2026-12-01。",
    "Choose a process from the list.": "请从列表中选择流程。",
    "The end date must not be before the start date.": "截止日期不能早于起始日期。",
    "The figures below are for the default period until the dates are corrected.":
        "日期更正前，下列数字按默认统计周期显示。",
    # a list page past the end of its list (ui/_macros.html pager)
    "There is nothing on page {page}; the list has {pages} pages.": "第 {page} 页没有内容，列表共 {pages} 页。",
    "Go to the last page (page {pages})": "转到最后一页（第 {pages} 页）",
    # a task's side-panel actions (transfer, return, extension) refused
    "The reason may have at most 1000 characters.": "理由不能超过 1000 字。",
    "More time must be a whole number from 1 to 365.": "延长时间须为 1 到 365 之间的整数。",
    # the studio's file list: what a file that names nothing itself holds
    "Organisation: roles, departments and grid": "组织机构：角色、部门与网格",
    "Working hours": "工作时间",
    "Holidays and make-up workdays {year}": "{year} 年节假日与调休",
    "Time-limit policies": "时限规则",
    "District map": "辖区地图",
}
