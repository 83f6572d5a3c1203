"""Consumers' consent to be told (WeChat subscribe messages), per template.

The mini-program asks with ``wx.requestSubscribeMessage`` and sends us its answer as it came:
``{"<template id>": "accept" | "reject" | "ban" | "filter", "errMsg": ...}``. A one-time
template allows one message per acceptance, so acceptances add up (``grants``, at most
:data:`MAX_GRANTS`); any other answer stops further messages of that template. The openid a
message needs is kept with the consent and dropped when it is withdrawn.
"""

from __future__ import annotations

from datetime import datetime

from core.errors import InvalidInput
from core.i18n import T
from profiles.models import Subscription

ANSWERS = ("accept", "reject", "ban", "filter")
MAX_GRANTS = 50


def check_answers(body: dict, templates: tuple[str, ...]) -> dict[str, str]:
    """The template answers of a ``wx.requestSubscribeMessage`` result (400 otherwise)."""
    answers = {k: v for k, v in body.items() if k != "errMsg"}
    if not answers:
        raise InvalidInput(T("请提交 wx.requestSubscribeMessage 的结果（模板 ID: accept）"),
                           field="body", code="invalid_body")
    for template, answer in answers.items():
        if template not in templates:
            raise InvalidInput(T("不支持订阅模板 {template}（可订阅：{join}）",
                                 template=template, join='、'.join(templates)),
                               field=template, code="unknown_template")
        if answer not in ANSWERS:
            raise InvalidInput(T("{template} 的结果须为 {join} 之一",
                                 template=template, join='、'.join(ANSWERS)),
                               field=template, code="invalid_subscription")
    return answers


async def record_answers(*, user_hash: str, openid: str, answers: dict[str, str],
                         now: datetime) -> list[Subscription]:
    """Store each template's answer; return the user's consents."""
    for template, answer in answers.items():
        found = await Subscription.get_or_none(user_hash=user_hash, template_id=template)
        if found is None:
            found = Subscription(user_hash=user_hash, template_id=template, grants=0)
        found.status, found.updated_at = answer, now
        if answer == "accept":
            found.grants = min(MAX_GRANTS, found.grants + 1)
            found.openid = openid
        elif answer == "ban":
            found.grants, found.openid = 0, None
        await found.save()
    return await consents(user_hash)


async def withdraw(*, user_hash: str, template: str, now: datetime) -> list[Subscription]:
    """The user no longer wants these messages: no grants, no openid kept."""
    await Subscription.filter(user_hash=user_hash, template_id=template).update(
        status="reject", grants=0, openid=None, updated_at=now)
    return await consents(user_hash)


async def consents(user_hash: str) -> list[Subscription]:
    return await Subscription.filter(user_hash=user_hash).order_by("template_id")


def consent_item(found: Subscription) -> dict:
    return {"template_id": found.template_id, "status": found.status, "grants": found.grants,
            "updated_at": found.updated_at.isoformat()}
