"""Filing a complaint or report: validated, resolved, triaged, dated and committed before the
answer; a retried submission with the same ``Idempotency-Key`` returns the same ticket."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

import orjson
from tortoise.exceptions import IntegrityError

from core.i18n import T
from complaints import triage
from complaints.context import CaseContext, local_day
from complaints.form import Submission, parse_submission
from complaints.models import Complaint, Photo
from complaints.moderation import WECHAT, Screen
from complaints.store import first_events, insert_case
from complaints.targets import ResolvedTarget, resolve_target
from complaints.views import KIND_NAMES
from complaints.workflow import FINAL, Kind, Status, status_name
from core.errors import Conflict, InvalidInput

TICKET_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32
RANK = {"urgent": 0, "high": 1, "normal": 2}
IDEMPOTENCY_MAX = 200


@dataclass(frozen=True)
class Filer:
    """Who files: a WeChat user (pseudonym and openid) or an anonymous client."""

    owner_hash: str | None
    openid: str | None
    client: str  # rate-limit identity: the session token's hash or the address

    @property
    def uploader(self) -> str:
        return self.owner_hash or self.client


def new_ticket(kind: Kind, at: datetime) -> str:
    """``TS`` (投诉) or ``JB`` (举报), the day received, six random base-32 characters."""
    tail = "".join(secrets.choice(TICKET_ALPHABET) for _ in range(6))
    return ("TS" if kind is Kind.COMPLAINT else "JB") + local_day(at).strftime("%y%m%d") + tail


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def secret_digest(secret: str) -> str:
    """What is stored of a follow-up secret."""
    return _digest("secret", secret)


def follow_secret(raw_key: str | None) -> str:
    """The follow-up secret of an anonymous filer: derived from the raw Idempotency-Key (never
    stored, so a replay can return it again), else random."""
    if raw_key:
        return hmac.new(raw_key.encode(), b"follow-up", hashlib.sha256).hexdigest()[:32]
    return secrets.token_urlsafe(24)


async def submit_complaint(*, ctx: CaseContext, body: object, filer: Filer,
                           idempotency_key: str | None) -> tuple[dict, bool]:
    """File a case; return the answer and whether it replays an earlier submission."""
    now = ctx.now()
    key_hash = request_hash = None
    if idempotency_key is not None:
        if not 1 <= len(idempotency_key) <= IDEMPOTENCY_MAX:
            raise InvalidInput(T("Idempotency-Key 须为 1–{IDEMPOTENCY_MAX} 个字符",
                                 IDEMPOTENCY_MAX=IDEMPOTENCY_MAX),
                               field="Idempotency-Key", code="invalid_idempotency_key")
        key_hash = _digest("idem", filer.uploader, idempotency_key)
        request_hash = _digest(orjson.dumps(body, option=orjson.OPT_SORT_KEYS).decode())
        earlier = await Complaint.get_or_none(idempotency_key=key_hash)
        if earlier is not None:
            return _replay(earlier, request_hash, idempotency_key), True
    form = parse_submission(body, today=local_day(now), max_photos=ctx.settings.max_photos)
    target = await resolve_target(form.target)
    photos = await _photos(form, filer)
    screen = content_screen(ctx, form, filer, photos)
    secret = None if filer.owner_hash else follow_secret(idempotency_key)
    similar = await _duplicates(target, form, now)
    values = case_values(ctx, form, target, similar, now=now, screen=screen)
    values.update(owner_hash=filer.owner_hash, openid=filer.openid,
                  secret_hash=secret_digest(secret) if secret else None,
                  idempotency_key=key_hash, request_hash=request_hash)
    try:
        case = await _store(values, form.kind, now, photos, screen)
    except IntegrityError:
        earlier = key_hash and await Complaint.get_or_none(idempotency_key=key_hash)
        if not earlier:
            raise
        return _replay(earlier, request_hash, idempotency_key), True
    if screen.deferred:  # a content check job was written with the case
        ctx.wake()
    await ctx.figures_changed({case.target_uscc})
    return answer(case, similar, secret), False


def content_screen(ctx: CaseContext, form: Submission, filer: Filer,
                   photos: list[str]) -> Screen:
    """WeChat's check (after the commit) for a filer with a WeChat session, else the
    service's own policy, at once (``complaints.moderation``): every filing is checked."""
    if ctx.settings.content_check == "wechat" and filer.openid:
        return WECHAT
    return ctx.moderation.screen(form.description, photos=len(photos))


def case_values(ctx: CaseContext, form: Submission, target: ResolvedTarget,
                similar: list[dict], *, now: datetime, screen: Screen) -> dict:
    """The columns of a new case: the form, its target, triage and the acceptance deadline."""
    decided = triage.categorise(form.description, claimed=form.category,
                                target_alerts=target.alerts)
    place_division = form.place.division_code if form.place else None
    where = triage.jurisdiction(target_division=target.division, place_division=place_division)
    due = ctx.due(now, ctx.rules.acceptance)
    return dict(
        kind=form.kind.value, status=_first_status(screen).value,
        category=decided.category, claimed_category=form.category, priority=decided.priority,
        priority_rank=RANK[decided.priority], description=form.description,
        target_type=target.type, target_key=target.key, target_name=target.name,
        target_address=target.address, target_uscc=target.uscc, target_batch=target.batch_id,
        division=where.division, place=form.place.as_dict() if form.place else None,
        occurred_on=form.occurred_on, channel=form.channel, received_at=now,
        acceptance_due=due.due, due_on=due.due, provisional_due=due.provisional,
        triage=_decisions(decided, where, similar, screen), name=form.name, phone=form.phone)


def _first_status(screen: Screen) -> Status:
    if screen.deferred:
        return Status.SUBMITTED
    return Status.MODERATION if screen.held else Status.PENDING


def _replay(case: Complaint, request_hash: str, raw_key: str) -> dict:
    if case.request_hash != request_hash:
        raise Conflict(T("该 Idempotency-Key 已用于另一份不同的提交"), field="Idempotency-Key",
                       code="idempotency_key_reused")
    secret = follow_secret(raw_key) if case.secret_hash else None
    return answer(case, case.triage.get("duplicates", []), secret)


def answer(case: Complaint, similar: list[dict], secret: str | None) -> dict:
    out = {"ticket": case.ticket, "kind": case.kind, "kind_name": KIND_NAMES[case.kind],
           "status": case.status, "status_name": status_name(Status(case.status)),
           "category": case.category, "priority": case.priority,
           "deadline": {"acceptance": case.acceptance_due.isoformat(),
                        "provisional": case.provisional_due},
           "received_at": case.received_at.isoformat(),
           "duplicates": [{"ticket": d["ticket"], "reason": d["reason"],
                           "hint": "可关注此已有案件的办理进度"} for d in similar]}
    if secret:
        out["follow_secret"] = secret
    return out


async def _photos(form: Submission, filer: Filer) -> list[str]:
    if not form.photos:
        return []
    found = set(await Photo.filter(id__in=list(form.photos), complaint_id=None,
                                   uploader=filer.uploader).values_list("id", flat=True))
    for i, photo in enumerate(form.photos):
        if photo not in found:
            raise InvalidInput(T("照片 {photo} 不存在、已过期或已用于其他案件", photo=photo), field=f"photos[{i}]",
                               code="unknown_photo")
    return list(form.photos)


async def duplicates_of(target: ResolvedTarget, form: Submission, now: datetime) -> list[dict]:
    """Open cases about the same target with a similar description (best first)."""
    return await _duplicates(target, form, now)


async def _duplicates(target: ResolvedTarget, form: Submission, now: datetime) -> list[dict]:
    if target.key is None:
        return []
    rule = triage.DuplicateRule()
    rows = await Complaint.filter(target_key=target.key, received_at__gte=now - rule.window) \
        .exclude(status__in=[s.value for s in FINAL]).order_by("-received_at").limit(50) \
        .values("ticket", "description", "received_at")
    found = triage.duplicates(target=target.key, text=form.description, at=now, rule=rule,
                              candidates=[triage.Candidate(r["ticket"], target.key,
                                                           r["description"], r["received_at"])
                                          for r in rows])
    return [{"ticket": d.ticket, "score": d.score, "reason": d.reason} for d in found]


def _decisions(decided, where, similar, screen: Screen) -> dict:
    """Every automatic decision with its reasons (shown to handlers)."""
    return {"category": {"value": decided.category, "reasons": list(decided.reasons)},
            "priority": {"value": decided.priority, "reasons": list(decided.reasons)},
            "jurisdiction": {"value": where.division, "reasons": [where.reason]},
            "duplicates": similar, "content_check": screen.triage()}


async def store_case(values: dict, kind: Kind, now: datetime, *, note: str) -> Complaint:
    """Commit a case that came from elsewhere (no photos, no content check here)."""
    return await _store(values, kind, now, [], Screen("skipped"), note)


async def _store(values: dict, kind: Kind, now: datetime, photos: list[str],
                 screen: Screen, first_note: str | None = None) -> Complaint:
    check = screen.deferred
    events = first_events(now=now, kind_name=KIND_NAMES[kind.value], triage=values["triage"],
                          check=check, held=screen.held, note=first_note)
    for attempt in range(3):
        try:
            return await insert_case({**values, "ticket": new_ticket(kind, now)}, events,
                                     photos=photos, check=check)
        except IntegrityError:  # the idempotency key (the caller re-reads) or a ticket clash
            if values.get("idempotency_key") or attempt == 2:
                raise
    raise AssertionError("unreachable")
