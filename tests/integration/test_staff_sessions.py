"""Staff sessions in the database: a token is stored only as its hash, expires, and stops
working as soon as its account is deactivated or it is logged out."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from accounts.sessions import token_hash
from accounts.staff import Staff, StaffLogin, add_staff, login_staff, logout_staff, resolve_staff

PASSWORD = "correct horse battery"
T0 = datetime(2026, 10, 9, 1, 0, tzinfo=timezone.utc)


async def test_a_token_is_kept_as_its_hash_and_expires(db):
    await add_staff(username="s.one", name="承办", role="handler", division="450204",
                    password=PASSWORD)
    token, session = await login_staff(username="S.One ", password=PASSWORD, ttl=3600, now=T0)
    stored = await StaffLogin.get()
    assert stored.token_hash == token_hash(token) and token not in stored.token_hash
    live = await resolve_staff(token=token, now=T0 + timedelta(minutes=59))
    assert live == session and live.division == "450204"
    assert await resolve_staff(token=token, now=T0 + timedelta(hours=1)) is None
    # the next login clears the expired rows (of everybody)
    await login_staff(username="s.one", password=PASSWORD, now=T0 + timedelta(hours=2))
    assert await StaffLogin.all().count() == 1


async def test_deactivation_role_change_and_logout_take_effect_at_once(db):
    await add_staff(username="s.two", name="承办", role="handler", division="450204",
                    password=PASSWORD)
    token, _ = await login_staff(username="s.two", password=PASSWORD)
    await Staff.filter(username="s.two").update(role="supervisor", division=None)
    assert (await resolve_staff(token=token)).role == "supervisor"
    await Staff.filter(username="s.two").update(active=False)
    assert await resolve_staff(token=token) is None
    await Staff.filter(username="s.two").update(active=True)
    assert await logout_staff(token=token) is True
    assert await resolve_staff(token=token) is None
    assert await logout_staff(token=token) is False
    assert await resolve_staff(token=None) is None and await resolve_staff(token="x" * 65) is None
