"""What a complaint is about, resolved against the trace model: the enterprise behind a
credit code, a trace code or a product, its district, and the alerts that make it urgent."""

from __future__ import annotations

from dataclasses import dataclass

from core.i18n import T
from complaints.form import Target
from core.errors import InvalidInput
from tracing.codes.identifiers import gtin14
from tracing.model.models import (Batch, CodeAlias, Enterprise, Product, Recall, RecallBatch,
                                  Sampling, TraceCode)


@dataclass(frozen=True)
class ResolvedTarget:
    type: str
    key: str | None  # what duplicates are matched on: credit code, code, product or name
    name: str | None
    address: str | None
    uscc: str | None
    division: str | None
    batch_id: str | None
    alerts: tuple[str, ...]


def unknown(field: str, what: str) -> InvalidInput:
    return InvalidInput(T("未找到{what}（{field}），请核对后重新填写", what=what, field=field), field=field,
                        code="unknown_target")


async def resolve_target(target: Target) -> ResolvedTarget:
    """Look the target up; an unknown credit code, code or product is a 400 naming the field."""
    if target.type == "merchant":
        return ResolvedTarget("merchant", f"merchant:{target.name}", target.name,
                              target.address, None, None, None, ())
    batch_id = product_id = None
    if target.type == "enterprise":
        uscc = target.key
    elif target.type == "trace_code":
        code = await TraceCode.get_or_none(code=target.key).values("batch_id") \
            or await _alias(target.key)
        if code is None:
            raise unknown("target.code", T("该追溯码"))
        batch_id = code["batch_id"]
        batch = await Batch.get(batch_id=batch_id).values("product_id")
        product_id = batch["product_id"]
        uscc = (await Product.get(product_id=product_id).values("enterprise_id"))["enterprise_id"]
    else:
        query = Product.filter(gtin14=gtin14(target.key)) if target.by_gtin \
            else Product.filter(product_id=target.key)
        row = await query.first().values("product_id", "enterprise_id")
        if row is None:
            raise unknown("target.gtin" if target.by_gtin else "target.product_id", T("该商品"))
        product_id, uscc = row["product_id"], row["enterprise_id"]
        target = Target("product", product_id)
    enterprise = await Enterprise.get_or_none(uscc=uscc).values(
        "name", "address", "division_code", "status")
    if enterprise is None:
        raise unknown("target.uscc", T("该统一社会信用代码对应的企业"))
    alerts = await _alerts(uscc, enterprise["status"], product_id, batch_id)
    return ResolvedTarget(target.type, target.key, enterprise["name"], enterprise["address"],
                          uscc, enterprise["division_code"], batch_id, alerts)


async def _alias(alias: str) -> dict | None:
    row = await CodeAlias.get_or_none(alias=alias).values("code_id")
    if row is None:
        return None
    return await TraceCode.get_or_none(code=row["code_id"]).values("batch_id")


async def _alerts(uscc: str, status: str, product_id: str | None,
                  batch_id: str | None) -> tuple[str, ...]:
    """Risk notes on the target that raise a case's priority (reasons shown to handlers)."""
    alerts = []
    if batch_id and await RecallBatch.filter(batch_id=batch_id,
                                             recall__status="ongoing").exists():
        alerts.append("该批次正在召回")
    elif product_id and await Recall.filter(product_id=product_id, status="ongoing").exists():
        alerts.append("该商品有批次正在召回")
    if await Sampling.filter(enterprise_id=uscc, result="fail").exists():
        alerts.append("该企业有抽检不合格记录")
    if status in ("suspended", "revoked"):
        alerts.append("该企业证照状态异常")
    return tuple(alerts)
