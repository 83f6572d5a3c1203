"""The database schema of the whole service: every feature's models, one migration history."""

from __future__ import annotations

from api.features import FEATURES
from core import db
from core.features import Registry
from core.settings import Settings

MIGRATIONS = "gongzhi.migrations"


def registry() -> Registry:
    """The registry of every feature of the service."""
    return Registry.of(FEATURES)


def models() -> list[str]:
    """The Tortoise model modules of every feature."""
    return registry().model_modules


async def migrate(settings: Settings) -> None:
    """Apply every migration not yet applied."""
    await db.migrate(settings, models=models(), migrations=MIGRATIONS)
