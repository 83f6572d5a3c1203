"""The recall-warning sender against WeChat that does not answer (a closed port, through the
real gateway): the grant is given back, the message retried with backoff and given up after
MAX_ATTEMPTS; a message whose consent is gone is skipped; two senders never both claim one
message."""

from __future__ import annotations

import socket
from datetime import datetime, timedelta, timezone

from accounts.wechat import WeChatGateway
from profiles.messenger import MAX_ATTEMPTS, RecallMessenger, backoff
from profiles.models import RecallMessage, Subscription

T0 = datetime(2026, 11, 1, 2, tzinfo=timezone.utc)


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/"


async def _queue(user: str, grants: int = 1) -> RecallMessage:
    await Subscription.create(user_hash=user, template_id="TPL_RECALL_NOTICE", status="accept",
                              grants=grants, openid=f"o-{user}", updated_at=T0)
    return await RecallMessage.create(
        recall_id="R1", user_hash=user, template_id="TPL_RECALL_NOTICE",
        payload={"data": {"thing1": "原味螺蛳粉"}, "page": "pages/trace/trace?code=X"},
        next_at=T0, created_at=T0)


async def test_wechat_down_means_retry_with_backoff_then_give_up(db):
    gateway = WeChatGateway(appid="wx1", secret="s", api_url=closed_port_url(), timeout=2)
    now = [T0]
    sender = RecallMessenger(lambda: gateway, clock=lambda: now[0])
    await _queue("u1")
    for attempt in range(1, MAX_ATTEMPTS + 1):
        outcome = await sender.drain()
        assert outcome == ({"failed": 1} if attempt == MAX_ATTEMPTS else {"retry": 1})
        message = await RecallMessage.get(user_hash="u1")
        assert message.attempts == attempt and "wechat_unavailable" in message.last_error
        assert (await Subscription.get(user_hash="u1")).grants == 1  # given back
        assert await sender.drain() == {}  # not due again before its backoff
        now[0] += backoff(attempt) + timedelta(seconds=1)
    assert (await RecallMessage.get(user_hash="u1")).status == "failed"
    await gateway.close()


async def test_no_consent_left_is_skipped(db):
    await _queue("u2", grants=0)
    sender = RecallMessenger(lambda: None, clock=lambda: T0)
    assert await sender.drain() == {"skipped": 1}
    assert (await RecallMessage.get(user_hash="u2")).status == "skipped"


async def test_a_leased_message_is_not_claimed_twice(db):
    await _queue("u3")
    first = RecallMessenger(lambda: None, clock=lambda: T0)
    second = RecallMessenger(lambda: None, clock=lambda: T0)
    assert [m.user_hash for m in await first._claim()] == ["u3"]
    assert await second._claim() == []
    later = RecallMessenger(lambda: None, clock=lambda: T0 + timedelta(minutes=3))
    assert [m.user_hash for m in await later._claim()] == ["u3"]  # the lease ran out
