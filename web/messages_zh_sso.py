"""Chinese for single sign-on (统一身份认证): the sign-in button, refusals and sign-out; merged into web.messages_zh.ZH."""
from __future__ import annotations

ZH_SSO: dict[str, str] = {
    "Sign in with the unified identity platform": "统一身份认证登录",
    "Signing in with a password is turned off here. Sign in through the unified identity platform.":
        "本系统已关闭密码登录，请使用统一身份认证登录。",
    "Passwords are managed by the unified identity platform.": "密码由统一身份认证平台管理，请在该平台修改。",
    "Signed out": "已退出",
    "You have left casegrid. You are still signed in at the unified identity platform, so other systems stay open.":
        "您已退出本系统。统一身份认证平台上的登录仍然有效，其他接入的系统不受影响。",
    "Also sign out of the unified identity platform": "同时退出统一身份认证平台",
    "Back to the sign-in page": "返回登录页",
    "Sign-in not possible": "无法登录",
    "Sign out of the unified identity platform to use another account": "退出统一身份认证平台，改用其他账号登录",
    "The unified identity platform cannot be reached at the moment. Please try again later or ask the administrator.":
        "暂时无法连接统一身份认证平台，请稍后重试或联系系统管理员。",
    "This sign-in was started in another window or has expired. Please sign in again.":
        "本次登录已失效（可能已在其他窗口发起或等待时间过长），请重新登录。",
    "The unified identity platform did not sign you in. Please sign in again.":
        "统一身份认证平台未完成登录，请重新登录。",
    "The sign-in through the unified identity platform could not be verified. Please sign in again.":
        "统一身份认证返回的身份凭证未通过校验（签名、签发方、接收方、有效期或随机数不符），本次登录无效，请重新登录。",
}
