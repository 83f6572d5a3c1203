"""How a feature plugs in: each feature package offers one ``register(registry)`` function.

The function says everything the feature brings, and nothing else wires it:

- ``registry.models(...)``: its Tortoise model modules;
- ``registry.http(...)``: its HTTP modules in ``api/`` (each exposes a Sanic blueprint ``bp``
  whose handlers declare their OpenAPI entries). They are named by import path so a feature
  never imports the layer above it; the app factory imports them;
- ``registry.on_start(...)``: an async function that puts its parts into the services
  (``services.provide(SomeClass, instance)``) and its background tasks;
- ``registry.on_change(...)``: a factory of an outbox handler (committed changes);
- ``registry.command(...)``: its ``gongzhi`` sub-commands.

The list of features is ``api.features.FEATURES``; adding a feature is writing its package
and adding its ``register`` to that list.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Awaitable, Callable, Iterable

from core.outbox import Handler
from core.settings import Settings

if TYPE_CHECKING:
    from core.services import Services

Starter = Callable[["Services"], Awaitable[None]]
HandlerFactory = Callable[["Services"], Handler]


def _no_arguments(parser: argparse.ArgumentParser) -> None:
    """A command without options."""


@dataclass(frozen=True)
class CommandContext:
    """What a ``gongzhi`` sub-command gets: the settings and a way to migrate and to start
    the services of every registered feature (the command line builds it)."""

    settings: Settings
    registry: "Registry"
    migrations: str

    async def migrate(self) -> None:
        from core import db

        await db.migrate(self.settings, models=self.registry.model_modules,
                         migrations=self.migrations)

    async def services(self, *, background: bool = False) -> "Services":
        """Migrated and started services (close them when done)."""
        from core.services import Services

        await self.migrate()
        return await Services.start(self.settings, self.registry, background=background)


@dataclass(frozen=True)
class Command:
    """A ``gongzhi`` sub-command: ``run(context, args)`` returns the exit status."""

    name: str
    help: str
    run: Callable[[CommandContext, argparse.Namespace], int]
    arguments: Callable[[argparse.ArgumentParser], None] = _no_arguments


@dataclass
class Registry:
    """What the registered features bring, in registration order."""

    model_modules: list[str] = field(default_factory=list)
    http_modules: list[str] = field(default_factory=list)
    starters: list[Starter] = field(default_factory=list)
    change_handlers: list[HandlerFactory] = field(default_factory=list)
    commands: list[Command] = field(default_factory=list)

    @classmethod
    def of(cls, features: Iterable[Callable[["Registry"], None]]) -> "Registry":
        """The registry after calling every feature's ``register`` in order."""
        registry = cls()
        for register in features:
            register(registry)
        return registry

    def models(self, *modules: str) -> None:
        self.model_modules.extend(m for m in modules if m not in self.model_modules)

    def http(self, *modules: str) -> None:
        self.http_modules.extend(modules)

    def on_start(self, starter: Starter) -> None:
        self.starters.append(starter)

    def on_change(self, factory: HandlerFactory) -> None:
        self.change_handlers.append(factory)

    def command(self, command: Command) -> None:
        if any(c.name == command.name for c in self.commands):
            raise ValueError(f"two features register the command {command.name!r}")
        self.commands.append(command)
