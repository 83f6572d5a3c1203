"""The fast path of record validation: msgspec decodes a line straight into a typed Struct,
checking types, required fields, enumerations, lengths and text shape in C; Python then
runs only the rules msgspec cannot express (credit codes, times, places, details, cross-field
rules). Pure, no I/O.

``fast_record(text)`` returns the :class:`Record` that ``validate_record(orjson.loads(text))``
would return, or None whenever the line is anything but a plainly valid record of a type the
fast path knows (unknown fields, text needing a strip, any error at all): the caller then
takes the slow path, which names the field and code exactly as before. Every constraint here
is at least as strict as the slow path's, so the fast path never accepts what it would refuse.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated, Literal, Optional, Union

import msgspec

from tracing.exchange import fields
from tracing.exchange.fields import RecordError
from tracing.exchange.records import _CHECKS, EVENT_KINDS, Record, references

def _text(max_len: int):
    return Annotated[str, msgspec.Meta(max_length=max_len)]


Key = Annotated[str, msgspec.Meta(max_length=fields.KEY_MAX)]
Quantity = Annotated[float, msgspec.Meta(ge=0, le=1e12)]  # fields.number(0, 1e12)


def _plain_key(value: str) -> bool:
    """True when fields.key keeps ``value`` unchanged: ASCII letters and digits, or printable
    text without surrounding spaces that NFC leaves as it is (length is the Struct's check)."""
    return (value.isascii() and value.isalnum()) or (
        _plain_text(value) and unicodedata.is_normalized("NFC", value))


def _plain_text(value: str) -> bool:
    """True when fields.text keeps ``value`` unchanged: not empty, no control character and no
    surrounding whitespace (a printable string holds no whitespace but the ASCII space)."""
    return value != "" and value.isprintable() and value[0] != " " and value[-1] != " "


class _Base(msgspec.Struct, tag_field="type", forbid_unknown_fields=True):
    pass


class _Event(_Base, tag="event"):
    event_id: Key
    batch_id: Key
    kind: Literal[EVENT_KINDS]  # type: ignore[valid-type]
    occurred_at: str
    place_uscc: Optional[str] = None
    place: Optional[dict] = None
    actor: Optional[_text(100)] = None
    quantity: Optional[Quantity] = None
    unit: Optional[_text(20)] = None
    inputs: Optional[Annotated[list[Key], msgspec.Meta(max_length=200)]] = None
    detail: Optional[dict] = None
    corrects: Optional[Key] = None


class _Batch(_Base, tag="batch"):
    batch_id: Key
    product_id: Key
    lot: _text(64)
    produced_at: str
    quantity: Optional[Quantity] = None
    unit: Optional[_text(20)] = None
    expires_at: Optional[str] = None


class _Code(_Base, tag="code"):
    code: str
    batch_id: Key
    level: Optional[Literal["batch", "case", "item"]] = None
    serial: Optional[_text(64)] = None
    issuer: Optional[_text(100)] = None
    status: Optional[Literal["active", "withdrawn"]] = None


# type -> (Struct, key field, fields still parsed in Python, keys, key lists, texts); the
# Struct checks types, enumerations and lengths, the rest is checked here.
_KNOWN = {
    "event": (_Event, "event_id", {"occurred_at": fields.moment, "place_uscc": fields.uscc},
              ("event_id", "batch_id", "corrects"), ("inputs",), ("actor", "unit")),
    "batch": (_Batch, "batch_id", {"produced_at": fields.day, "expires_at": fields.day},
              ("batch_id", "product_id"), (), ("lot", "unit")),
    "code": (_Code, "code", {"code": fields.trace_code}, ("batch_id",), (), ("serial", "issuer")),
}
_PLANS = {plan[0]: (rtype, plan[1], plan[0].__struct_fields__, tuple(plan[2].items()),
                    *plan[3:]) for rtype, plan in _KNOWN.items()}
_decode = msgspec.json.Decoder(Union[tuple(plan[0] for plan in _KNOWN.values())]).decode
_astuple = msgspec.structs.astuple


def fast_record(text: str) -> Record | None:
    """The validated record of a plainly valid line, or None to take the slow path."""
    try:
        struct = _decode(text)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None
    rtype, key_field, names, post, keys, key_lists, texts = _PLANS[type(struct)]
    values = {name: value for name, value in zip(names, _astuple(struct))
              if value is not None}
    get = values.get
    for name in keys:
        value = get(name)
        if value is not None and not _plain_key(value):
            return None
    for name in key_lists:
        if not all(map(_plain_key, get(name, ()))):
            return None
    for name in texts:
        value = get(name)
        if value is not None and not _plain_text(value):
            return None
    try:
        for name, parse in post:
            if name in values:
                values[name] = parse(values[name], name)
        values["extra"] = {}
        record = Record(rtype, values[key_field], values)
        check = _CHECKS.get(rtype)
        if check is not None:
            check(record)
    except RecordError:
        return None
    record.refs = references(rtype, values)
    return record
