"""A consumer's consent to recall warnings (WeChat subscribe messages):
``GET``/``POST /api/v1/me/subscriptions``, ``DELETE /api/v1/me/subscriptions/{template}``."""

from __future__ import annotations

from sanic import Blueprint
from sanic.response import json

from api.http import services
from api.openapi import operation
from api.regulator import json_body, require_session
from profiles.subscriptions import (check_answers, consent_item, consents, record_answers,
                                    withdraw)

bp = Blueprint("subscriptions")
PRIVATE = {"Cache-Control": "private, no-store"}


def _answer(found) -> dict:
    return {"subscriptions": [consent_item(s) for s in found]}


@bp.get("/api/v1/me/subscriptions")
@operation("get", "/api/v1/me/subscriptions", summary="The user's consents to be told",
           tag="subscriptions", responses={200: '{"subscriptions": [{template_id, status, '
                                                'grants, updated_at}]}'},
           errors={401: "token_missing, session_invalid"})
async def mine(request):
    session = await require_session(request)
    return json(_answer(await consents(session.openid_hash)), headers=PRIVATE)


@bp.post("/api/v1/me/subscriptions")
@operation("post", "/api/v1/me/subscriptions", summary="Record the answer of "
           "wx.requestSubscribeMessage (recall warnings: one message per acceptance)",
           tag="subscriptions",
           body={"required": True, "content": {"application/json": {"schema": {
               "type": "object", "example": {"TPL_RECALL_NOTICE": "accept"},
               "additionalProperties": {"enum": ["accept", "reject", "ban", "filter"]}}}}},
           responses={200: '{"subscriptions": [...]}'},
           errors={400: "invalid_body, unknown_template, invalid_subscription",
                   401: "token_missing, session_invalid"})
async def answer(request):
    session = await require_session(request)
    running = services(request)
    answers = check_answers(json_body(request), (running.settings.recall_template_id,))
    found = await record_answers(user_hash=session.openid_hash, openid=session.openid,
                                 answers=answers, now=running.clock())
    return json(_answer(found), headers=PRIVATE)


@bp.delete("/api/v1/me/subscriptions/<template:str>")
@operation("delete", "/api/v1/me/subscriptions/{template}", summary="Withdraw a consent",
           tag="subscriptions", responses={200: '{"subscriptions": [...]}'},
           errors={401: "token_missing, session_invalid"})
async def withdraw_consent(request, template: str):
    session = await require_session(request)
    found = await withdraw(user_hash=session.openid_hash, template=template,
                           now=services(request).clock())
    return json(_answer(found), headers=PRIVATE)
