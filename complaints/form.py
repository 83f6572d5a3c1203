"""The submission form of a complaint or report, validated into plain values. Pure, no I/O.

Every error names the field (dotted for nested ones: ``contact.phone``) and carries a stable
code and a Chinese message. Text is read as the real world sends it: in names, numbers,
codes and addresses full-width digits and letters are folded (NFKC); the description keeps
its full-width punctuation. Surrounding spaces are dropped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from core.i18n import T
from complaints.triage import CATEGORY_NAMES
from complaints.workflow import Kind
from core.errors import InvalidInput
from tracing.codes.identifiers import (IdentifierError, validate_division_code, validate_gtin,
                                       validate_uscc)
from tracing.codes.parse import is_trace_code, normalise_code

CHANNELS = ("miniapp", "h5", "kiosk", "phone", "12315")
TARGET_TYPES = ("enterprise", "trace_code", "product", "merchant")
MAX_DESCRIPTION = 2000
MIN_DESCRIPTION = 10
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
NAME_RE = re.compile(r"^[\u4e00-\u9fff·A-Za-z][\u4e00-\u9fff·A-Za-z .]{0,29}$")
FIELDS = {"kind", "category", "description", "target", "place", "occurred_on", "photos",
          "contact", "channel", "anonymous"}
TARGET_FIELDS = {"enterprise": {"uscc"}, "trace_code": {"code"},
                 "product": {"product_id", "gtin"}, "merchant": {"name", "address"}}


@dataclass(frozen=True)
class Target:
    type: str  # enterprise | trace_code | product | merchant
    key: str | None  # credit code, trace code, product id or GTIN; None for a merchant
    name: str | None = None
    address: str | None = None
    by_gtin: bool = False


@dataclass(frozen=True)
class Place:
    address: str | None
    lat: float | None
    lng: float | None
    division_code: str | None

    def as_dict(self) -> dict:
        return {"address": self.address, "lat": self.lat, "lng": self.lng,
                "division_code": self.division_code}


@dataclass(frozen=True)
class Submission:
    kind: Kind
    category: str | None
    description: str
    target: Target
    place: Place | None
    occurred_on: date | None
    photos: tuple[str, ...]
    name: str | None
    phone: str | None
    channel: str


def bad(message: str, field: str, code: str) -> InvalidInput:
    return InvalidInput(message, field=field, code=code)


def clean(value: Any, field: str, *, max_len: int, required: bool = False,
          fold: bool = True) -> str | None:
    """Text folded to NFKC (unless ``fold`` is false: prose keeps its full-width
    punctuation) and stripped; None when absent and not required."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise bad(T("请填写{label}（{field}）",
                        label=_LABELS.get(field, field), field=field), field, "required")
        return None
    if not isinstance(value, str):
        raise bad(T("{label}（{field}）须为文字",
                    label=_LABELS.get(field, field), field=field), field, "invalid_type")
    text = (unicodedata.normalize("NFKC", value) if fold else value).strip()
    if len(text) > max_len:
        raise bad(T("{label}（{field}）不能超过 {max_len} 个字，现有 {n} 个",
                    label=_LABELS.get(field, field), field=field, max_len=max_len,
                    n=len(text)), field, "too_long")
    return text


def phone_number(value: Any, field: str = "contact.phone") -> str:
    """A mainland mobile or landline number (+86, spaces and dashes allowed)."""
    text = clean(value, field, max_len=30, required=True)
    digits = re.sub(r"[\s()]", "", text)
    digits = re.sub(r"^(\+?86)-?", "", digits)
    if MOBILE_RE.match(digits.replace("-", "")):
        return digits.replace("-", "")
    if LANDLINE_RE.match(digits):
        return digits
    raise bad(T("联系电话（{field}）不是有效的手机或固定电话号码", field=field), field, "invalid_phone")


def mask_phone(phone: str | None) -> str | None:
    """138****5678: what a list shows until the handler opens the contact."""
    if not phone:
        return None
    return phone[:3] + "*" * max(0, len(phone) - 7) + phone[-4:]


def parse_submission(body: Any, *, today: date, max_photos: int) -> Submission:
    """Validate a submission body (decoded JSON); raise :class:`InvalidInput` naming the field."""
    if not isinstance(body, dict):
        raise bad(T("请以 JSON 对象提交投诉举报内容"), "body", "invalid_body")
    unknown = sorted(set(body) - FIELDS)
    if unknown:
        raise bad(T("未知字段：{value}", value=unknown[0]), unknown[0], "unknown_field")
    try:
        kind = Kind(body.get("kind"))
    except ValueError:
        raise bad(T("类型（kind）须为 complaint（投诉）或 report（举报）"), "kind",
                  "invalid_kind") from None
    category = body.get("category")
    if category is not None and category not in CATEGORY_NAMES:
        raise bad(T("类别（category）须为：{choices}", choices="、".join(CATEGORY_NAMES)), "category",
                  "invalid_category")
    description = clean(body.get("description"), "description", max_len=MAX_DESCRIPTION,
                        required=True, fold=False)
    if len(description) < MIN_DESCRIPTION:
        raise bad(T("问题描述（description）至少 {MIN_DESCRIPTION} 个字",
                    MIN_DESCRIPTION=MIN_DESCRIPTION), "description",
                  "too_short")
    name, phone = _contact(body, kind)
    return Submission(
        kind=kind, category=category, description=description,
        target=_target(body.get("target")), place=_place(body.get("place")),
        occurred_on=_day(body.get("occurred_on"), today), photos=_photos(body, max_photos),
        name=name, phone=phone, channel=_channel(body.get("channel")))


def _contact(body: dict, kind: Kind) -> tuple[str | None, str | None]:
    contact, anonymous = body.get("contact"), body.get("anonymous", False)
    if not isinstance(anonymous, bool):
        raise bad(T("匿名（anonymous）须为 true 或 false"), "anonymous", "invalid_type")
    if contact is not None and not isinstance(contact, dict):
        raise bad(T("联系方式（contact）须为对象 {name, phone}"), "contact", "invalid_type")
    if kind is Kind.COMPLAINT and anonymous:
        raise bad(T("投诉须实名，不能匿名；匿名请选择举报"), "anonymous", "contradictory_fields")
    if anonymous and contact:
        raise bad(T("选择匿名举报时不能同时填写联系方式"), "contact", "contradictory_fields")
    if kind is Kind.REPORT and not contact:
        return None, None
    if kind is Kind.COMPLAINT and not contact:
        raise bad(T("投诉须提供投诉人真实姓名和联系电话（contact）"), "contact",
                  "real_name_required")
    extra = sorted(set(contact) - {"name", "phone"})
    if extra:
        raise bad(T("未知字段：contact.{value}", value=extra[0]), f"contact.{extra[0]}", "unknown_field")
    name = clean(contact.get("name"), "contact.name", max_len=30, required=True)
    if not NAME_RE.match(name):
        raise bad(T("投诉人姓名（contact.name）须为真实姓名"), "contact.name", "invalid_name")
    return name, phone_number(contact.get("phone"))


def _target(target: Any) -> Target:
    if not isinstance(target, dict):
        raise bad(T("请指明被投诉举报对象（target）"), "target", "required")
    kind = target.get("type")
    if kind not in TARGET_TYPES:
        raise bad(T("对象类型（target.type）须为：{choices}", choices="、".join(TARGET_TYPES)),
                  "target.type",
                  "invalid_target_type")
    extra = sorted(set(target) - TARGET_FIELDS[kind] - {"type"})
    if extra:
        raise bad(T("对象类型为 {kind} 时不能同时填写 target.{field}", kind=kind,
                    field=extra[0]), f"target.{extra[0]}",
                  "contradictory_fields")
    if kind == "enterprise":
        return Target(kind, _identifier(validate_uscc, target.get("uscc"), "target.uscc",
                                        T("统一社会信用代码")))
    if kind == "trace_code":
        code = clean(target.get("code"), "target.code", max_len=64, required=True)
        code = normalise_code(code)
        if not is_trace_code(code):
            raise bad(T("追溯码（target.code）格式不正确"), "target.code", "code_malformed")
        return Target(kind, code)
    if kind == "product":
        return _product(target)
    return Target(kind, None,
                  clean(target.get("name"), "target.name", max_len=200, required=True),
                  clean(target.get("address"), "target.address", max_len=300, required=True))


def _product(target: dict) -> Target:
    if ("product_id" in target) == ("gtin" in target):
        raise bad(T("商品须且只须填写 target.product_id 或 target.gtin 之一"), "target.product_id",
                  "contradictory_fields")
    if "gtin" in target:
        return Target("product", _identifier(validate_gtin, target["gtin"], "target.gtin",
                                             T("商品条码")), by_gtin=True)
    return Target("product", clean(target["product_id"], "target.product_id", max_len=64,
                                   required=True))


def _identifier(check, value: Any, field: str, label: str) -> str:
    if value is None or value == "":
        raise bad(T("请填写{label}（{field}）", label=label, field=field), field, "required")
    try:
        return check(value, field)
    except IdentifierError as exc:
        raise bad(T("{label}（{field}）不正确：{message}",
                    label=label, field=field, message=exc.message), field, exc.code) from None


def _place(place: Any) -> Place | None:
    if place is None:
        return None
    if not isinstance(place, dict):
        raise bad(T("地点（place）须为对象 {address, lat, lng}"), "place", "invalid_type")
    extra = sorted(set(place) - {"address", "lat", "lng", "division_code"})
    if extra:
        raise bad(T("未知字段：place.{value}", value=extra[0]), f"place.{extra[0]}", "unknown_field")
    lat, lng = place.get("lat"), place.get("lng")
    if (lat is None) != (lng is None):
        missing = "place.lng" if lng is None else "place.lat"
        raise bad(T("经度和纬度须同时提供"), missing, "contradictory_fields")
    if lat is not None:
        lat, lng = _degree(lat, "place.lat", 3.5, 54), _degree(lng, "place.lng", 73, 136)
    division = place.get("division_code")
    if division is not None:
        division = _identifier(validate_division_code, division, "place.division_code",
                               T("行政区划代码"))
    address = clean(place.get("address"), "place.address", max_len=300)
    if address is None and lat is None and division is None:
        raise bad(T("地点（place）须包含地址或经纬度"), "place.address", "required")
    return Place(address, lat, lng, division)


def _degree(value: Any, field: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise bad(T("坐标（{field}）须为中国境内的经纬度数值", field=field), field, "invalid_location")
    return float(value)


def _day(value: Any, today: date) -> date | None:
    if value is None:
        return None
    try:
        day = date.fromisoformat(unicodedata.normalize("NFKC", value)) \
            if isinstance(value, str) else None
    except ValueError:
        day = None
    if day is None:
        raise bad(T("购买或发生日期（occurred_on）须为 YYYY-MM-DD"), "occurred_on", "invalid_date")
    if day > today:
        raise bad(T("购买或发生日期（occurred_on）不能晚于今天"), "occurred_on", "date_in_future")
    if day.year < 2000:
        raise bad(T("购买或发生日期（occurred_on）过早"), "occurred_on", "invalid_date")
    return day


def _photos(body: dict, max_photos: int) -> tuple[str, ...]:
    photos = body.get("photos") or []
    if not isinstance(photos, list) or not all(isinstance(p, str) and 0 < len(p) <= 24
                                               for p in photos):
        raise bad(T("照片（photos）须为上传接口返回的编号列表"), "photos", "invalid_type")
    if len(photos) > max_photos:
        raise bad(T("照片最多 {max_photos} 张，提交了 {n} 张",
                    max_photos=max_photos, n=len(photos)), "photos",
                  "too_many_photos")
    if len(set(photos)) != len(photos):
        raise bad(T("照片（photos）有重复"), "photos", "duplicate_photo")
    return tuple(photos)


def _channel(value: Any) -> str:
    if value is None:
        return "h5"
    if value not in CHANNELS:
        raise bad(T("渠道（channel）须为：{choices}", choices="、".join(CHANNELS)), "channel",
                  "invalid_channel")
    return value


_LABELS = {"description": T("问题描述"), "contact.name": T("投诉人姓名"), "contact.phone": T("联系电话"),
           "target.name": T("商家名称"), "target.address": T("商家地址"), "target.code": T("追溯码"),
           "target.product_id": T("商品编号"), "place.address": T("地址")}
