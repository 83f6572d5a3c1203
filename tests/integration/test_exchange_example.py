"""docs/exchange-example.ndjson, the example of docs/exchange.md, imports as documented."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from tracing.exchange.importer import ExchangeImporter
from tracing.exchange.lines import file_lines
from tracing.model.models import Enforcement, Recall, RecordVersion, Sampling
from tracing.model.versions import verify_histories

pytestmark = pytest.mark.usefixtures("db")
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "exchange-example.ndjson"


async def test_the_example_file_is_accepted_with_its_one_warning():
    importer = ExchangeImporter(clock=lambda: datetime(2026, 11, 1, tzinfo=timezone.utc))
    with open(EXAMPLE, "rb") as handle:
        result = await importer.run(file_lines(handle))
    answer = result.as_dict()
    assert answer["accepted"] == 27 and answer["rejected"] == []
    assert [(w["line"], w["field"], w["code"]) for w in answer["warnings"]] == [
        (4, "licence_no", "licence_kind_mismatch")]
    sampling = await Sampling.get(sample_id="GXJC-2026-10-0031")
    assert (sampling.result, sampling.version) == ("pass", 2)
    assert sampling.correction["from"]["result"] == "fail"
    assert (await Recall.get(recall_id="ZH-2026-0031")).status == "completed"
    assert (await Recall.get(recall_id="ZH-2026-0032")).status == "withdrawn"
    assert await Enforcement.filter(case_no="柳市监处罚〔2026〕88号").exists()
    assert await RecordVersion.all().count() == 3
    assert (await verify_histories()).first_break is None
