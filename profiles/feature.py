"""The profiles feature: enterprise profiles and accounts, notices and recall warnings,
product pages, printed codes, label images and the regulator's trace export.

It reads the trace model (``tracing``), the WeChat gateway and staff sessions
(``accounts``); the complaint figures come through
:class:`core.complaint_figures.ComplaintFigures`, which the complaints feature provides (an
empty provider stands in without it) and which tells the profiles when its figures change.
"""

from __future__ import annotations

from core.complaint_figures import ComplaintFigures, NoComplaintFigures
from core.features import Registry
from core.services import Services
from profiles import commands
from profiles.changes import profile_change_handler
from profiles.media import LocalMediaStorage, MediaStorage
from profiles.messenger import RecallMessenger
from profiles.printed import PrintedCodes
from profiles.recall_warnings import recall_warning_handler
from profiles.service import ProfileService
from profiles.staff import RegulatorTokenStaff, StaffDirectory, StaffSessions, StaffTokens
from tracing.service import TraceService


def register(registry: Registry) -> None:
    registry.models("profiles.models")
    registry.http("api.blueprints.enterprises", "api.blueprints.enterprise_account",
                  "api.blueprints.corrections", "api.blueprints.notices",
                  "api.blueprints.subscriptions", "api.blueprints.media",
                  "api.blueprints.products", "api.blueprints.exports")
    for command in commands.COMMANDS:
        registry.command(command)
    registry.on_start(start)
    registry.on_change(lambda services: profile_change_handler(
        invalidate_profiles=services.get(ProfileService).invalidate,
        trace_cache=services.get(TraceService).cache))
    registry.on_change(lambda services: recall_warning_handler(
        template_id=services.settings.recall_template_id,
        page=services.settings.wxacode_page, depth=services.settings.trace_depth,
        clock=services.clock, wake=services.get(RecallMessenger).wake))


async def start(services: Services) -> None:
    """Provide the :class:`ProfileService` (and answer enterprise codes in scans), the
    staff directory (the exchange token and staff sessions), and the sender of recall
    warnings (a background job)."""
    figures = services.provide(ComplaintFigures, NoComplaintFigures)
    trace = services.get(TraceService)
    profiles = services.provide(ProfileService, lambda: ProfileService(
        services.settings, services.store, trace.cache, figures=figures,
        clock=services.clock))
    trace.enterprise_answer = profiles.scan_answer
    figures.on_change(profiles.invalidate)  # a new case or move: counts are stale
    services.provide(StaffDirectory, lambda: StaffTokens(
        RegulatorTokenStaff(services.settings.exchange_token), StaffSessions()))
    settings = services.settings
    services.provide(MediaStorage, lambda: LocalMediaStorage(settings.data_dir / "media"))
    services.provide(PrintedCodes, lambda: PrintedCodes(
        settings.data_dir / "printed", appid=settings.wechat_appid, page=settings.wxacode_page))
    from accounts.wechat import WeChatGateway  # wechatpy: only once serving

    messenger = services.provide(RecallMessenger, lambda: RecallMessenger(
        lambda: services.get(WeChatGateway), clock=services.clock))
    services.background(messenger.run)
