"""Record types another feature adds to the exchange (e.g. ``complaint_transfer``).

The importer knows the trace model's types; a feature above tracing registers its own type
here at start (``services.get(ExchangeExtensions).add(...)``). Lines of such a type are
validated as they are read and handed to the type's writer in chunks after the trace records
of the same input were written, so they may refer to them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from tracing.exchange.fields import RecordError

Validate = Callable[[dict], Any]  # a decoded line -> plain values; raises RecordError
#: validated values with their line numbers -> the rejected lines
Write = Callable[[list[tuple[int, Any]]], Awaitable[list[tuple[int, RecordError]]]]


@dataclass(frozen=True)
class ExtensionType:
    name: str
    validate: Validate
    write: Write


@dataclass
class ExchangeExtensions:
    """The extra record types of this service, by name."""

    types: dict[str, ExtensionType] = field(default_factory=dict)

    def add(self, record_type: ExtensionType) -> None:
        self.types[record_type.name] = record_type

    def get(self, name: object) -> ExtensionType | None:
        return self.types.get(name) if isinstance(name, str) else None
