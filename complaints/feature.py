"""The complaints feature: cases, their workflow and deadlines, and their commands."""

from __future__ import annotations

from complaints import commands
from core.features import Registry


def register(registry: Registry) -> None:
    for command in commands.COMMANDS:
        registry.command(command)
