"""The stand-in's image check: fetch the image as WeChat would, judge it, and push the verdict
to the message push URL (event ``wxa_media_check``), signed as WeChat signs its pushes."""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
import time
import urllib.parse
import urllib.request


def _fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read()


def _post_json(url: str, body: dict) -> None:
    data = json.dumps(body, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        response.read()


async def check_and_push(state, check: dict) -> None:
    """Fetch the image as WeChat would, judge it, push the verdict (``wxa_media_check``)."""
    try:
        data = await asyncio.to_thread(_fetch, check["media_url"])
        digest = hashlib.sha256(data).hexdigest()
        suggest, label, errcode = ("risky", 20002, 0) if digest in state.risky_media \
            else ("pass", 100, 0)
    except Exception:  # noqa: BLE001 - WeChat reports a download failure the same way
        suggest, label, errcode = "review", 100, -1008
    check["verdict"] = suggest
    if not state.push_url:
        return
    timestamp, nonce = str(int(time.time())), secrets.token_hex(5)
    signature = hashlib.sha1("".join(sorted((state.push_token, timestamp, nonce)))
                             .encode()).hexdigest()
    query = urllib.parse.urlencode({"signature": signature, "timestamp": timestamp,
                                    "nonce": nonce})
    body = {"ToUserName": "gh_standin0000", "FromUserName": check["openid"] or "",
            "CreateTime": int(time.time()), "MsgType": "event", "Event": "wxa_media_check",
            "appid": state.appid, "trace_id": check["trace_id"], "version": check["version"],
            "detail": [{"strategy": "content_model", "errcode": errcode, "suggest": suggest,
                        "label": label, "prob": 90}],
            "errcode": 0, "errmsg": "ok", "result": {"suggest": suggest, "label": label}}
    separator = "&" if "?" in state.push_url else "?"
    try:
        await asyncio.to_thread(_post_json, state.push_url + separator + query, body)
        check["pushed"] = True
    except Exception as exc:  # noqa: BLE001 - WeChat gives up quietly too
        check["pushed"] = repr(exc)
