"""The complaints feature: cases, their workflow and deadlines, photos, content checks,
notifications, figures, 12315 transfers, and their endpoints and commands."""

from __future__ import annotations

from complaints import commands
from core.features import Registry
from core.services import Services


def register(registry: Registry) -> None:
    registry.models("complaints.models")
    registry.http("api.blueprints.complaints", "api.blueprints.uploads",
                  "api.blueprints.triage", "api.blueprints.wechat_events")
    registry.on_start(start)
    for command in commands.COMMANDS:
        registry.command(command)


async def start(services: Services) -> None:
    """Provide the :class:`ComplaintService`, photo storage and the complaint figures other
    features show (:class:`core.complaint_figures.ComplaintFigures`), run the job worker, add
    the ``complaint_transfer`` record type to the exchange."""
    from accounts.wechat import WeChatGateway
    from complaints.context import CaseContext
    from complaints.jobs import JobWorker
    from complaints.public_figures import CaseFigures
    from complaints.service import ComplaintService
    from complaints.storage import LocalPhotoStorage, PhotoStorage
    from complaints.transfer import today_in, transfer_type
    from core.complaint_figures import ComplaintFigures
    from tracing.exchange.extensions import ExchangeExtensions

    settings = services.settings
    storage = services.provide(PhotoStorage,
                               lambda: LocalPhotoStorage(settings.data_dir / "photos"))
    ctx = CaseContext.from_settings(settings, storage=storage, clock=services.clock)
    worker = JobWorker(ctx, lambda: services.get(WeChatGateway))
    ctx.wake = worker.wake
    services.provide(ComplaintService, lambda: ComplaintService(ctx, worker),
                     close=ComplaintService.close)
    figures = services.provide(ComplaintFigures, lambda: CaseFigures(ctx.refusals))
    ctx.figures_changed = figures.changed
    services.background(worker.run)
    services.get(ExchangeExtensions).add(transfer_type(ctx, lambda: today_in(ctx)))
