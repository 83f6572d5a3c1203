"""The statutory refusal reasons as data: the built-in table (2020 measures, art. 15), a
table loaded from a file replacing it, and old codes still readable."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from complaints.refusals import BUILTIN, LAW_2020, Refusals
from complaints.workflow import Kind, Role, Status, transition
from core.errors import InvalidInput

AT = datetime(2026, 10, 9, 2, tzinfo=timezone.utc)
TABLE = {"law": "《市场监督管理投诉举报处理办法》（国家市场监督管理总局令第121号）",
         "reasons": {"not_competent": {"text": "不属于本部门职责", "article": "第X条第（一）项"},
                     "not_food": {"text": "与食品无关", "article": "第X条第（二）项"}}}


def refuse(code: str, refusals: Refusals = BUILTIN):
    return transition(kind=Kind.COMPLAINT, before=Status.PENDING, after=Status.REFUSED,
                      role=Role.HANDLER, actor="h", at=AT, refusal_reason=code,
                      refusals=refusals)


def test_the_built_in_table_cites_article_15_of_the_2020_measures():
    assert BUILTIN.codes == ("not_competent", "handled_elsewhere", "not_consumer",
                             "time_barred", "incomplete", "other_statutory")
    assert BUILTIN.article("not_consumer") == LAW_2020 + "第十五条第（三）项"
    assert BUILTIN.article("other_statutory").endswith("第十五条第（六）项")
    assert "三年" in BUILTIN.text("time_barred")
    assert refuse("time_barred").refusal_reason == "time_barred"


def test_a_file_replaces_the_table_and_old_codes_stay_readable(tmp_path):
    path = tmp_path / "reasons.json"
    path.write_text(json.dumps(TABLE, ensure_ascii=False), encoding="utf-8")
    table = Refusals.load(path)
    assert table.codes == ("not_competent", "not_food") and "121号" in table.law
    assert refuse("not_food", table).refusal_reason == "not_food"
    with pytest.raises(InvalidInput) as err:
        refuse("time_barred", table)  # no longer a reason in force
    assert err.value.code == "refusal_reason_required" and "not_food" in err.value.message
    assert table.text("not_competent") == "不属于本部门职责"
    assert table.text("time_barred") == BUILTIN.text("time_barred")  # a case refused before
    assert table.text("nonsense") is None and table.text(None) is None
    assert Refusals.load(None) is BUILTIN


@pytest.mark.parametrize("content", [
    "not json", json.dumps({"law": "x"}), json.dumps({"law": "x", "reasons": {}}),
    json.dumps({"law": "x", "reasons": {"Bad Code": {"text": "t", "article": "a"}}}),
    json.dumps({"law": "x", "reasons": {"ok_code": {"text": " ", "article": "a"}}}),
    json.dumps({"law": "x", "reasons": {"ok_code": {"text": "t"}}}),
])
def test_a_bad_file_is_refused_whole(tmp_path, content):
    path = tmp_path / "reasons.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidInput) as err:
        Refusals.load(path)
    assert err.value.code == "refusal_reasons_invalid"
    assert err.value.field == "GONGZHI_REFUSAL_REASONS" and "无效" in err.value.message


def test_the_files_are_named_by_settings_and_loaded_into_the_case_context(tmp_path):
    from complaints.context import CaseContext
    from complaints.storage import LocalPhotoStorage
    from core.settings import load_settings

    reasons, words = tmp_path / "reasons.json", tmp_path / "words.txt"
    reasons.write_text(json.dumps(TABLE, ensure_ascii=False), encoding="utf-8")
    words.write_text("地沟油\n", encoding="utf-8")
    settings = load_settings({"GONGZHI_REFUSAL_REASONS": f" {reasons} ",
                              "GONGZHI_MODERATION_WORDS": str(words)})
    ctx = CaseContext.from_settings(settings, storage=LocalPhotoStorage(tmp_path / "p"),
                                    clock=lambda: AT)
    assert ctx.refusals.codes == ("not_competent", "not_food")
    assert ctx.moderation.words == ("地沟油",)
    default = CaseContext.from_settings(load_settings({}), storage=ctx.storage, clock=lambda: AT)
    assert default.refusals is BUILTIN and "加微信" in default.moderation.words
