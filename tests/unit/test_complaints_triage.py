"""Triage rules: category, priority, jurisdiction and duplicates, each with its reasons."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from complaints.triage import Candidate, categorise, duplicates, jurisdiction, similarity

NOW = datetime(2026, 10, 8, 10, tzinfo=timezone.utc)


def test_poisoning_with_children_is_urgent_and_says_why():
    result = categorise("孩子在学校食堂吃了米粉以后呕吐、腹泻")
    assert result.category == "poisoning" and result.priority == "urgent"
    assert any("呕吐" in r for r in result.reasons) and any("孩子" in r for r in result.reasons)


def test_foreign_body_is_high_and_plain_text_keeps_the_claimed_category():
    assert categorise("米粉里有一根头发").priority == "high"
    plain = categorise("服务态度很差", claimed="hygiene")
    assert (plain.category, plain.priority) == ("hygiene", "normal")
    assert categorise("服务态度很差", claimed="made-up").category == "other"


def test_full_width_text_matches_and_target_alerts_raise_priority():
    assert categorise("买到的东西过期了").category == "expired"
    flagged = categorise("包装破了", target_alerts=("该批次已召回",))
    assert flagged.priority == "high" and any("召回" in r for r in flagged.reasons)


def test_jurisdiction_prefers_the_target_then_the_place():
    assert jurisdiction(target_division="450202", place_division="450205").division == "450202"
    assert jurisdiction(target_division=None, place_division="450205").division == "450205"
    assert jurisdiction(target_division=None, place_division=None).division is None


def test_duplicates_need_the_same_target_similar_text_and_recency():
    text = "柳南区某店螺蛳粉里吃出头发，要求退款"
    cands = [Candidate("T1", "91450200MA5KLBW001", "柳南区某店的螺蛳粉里吃出头发要求退款",
                       NOW - timedelta(days=2)),
             Candidate("T2", "91450200MA5KLBW001", "服务态度差", NOW - timedelta(days=1)),
             Candidate("T3", "92450202MA5KLSF005", text, NOW - timedelta(days=1)),
             Candidate("T4", "91450200MA5KLBW001", text, NOW - timedelta(days=90))]
    found = duplicates(target="91450200MA5KLBW001", text=text, at=NOW, candidates=cands)
    assert [d.ticket for d in found] == ["T1"] and "相似度" in found[0].reason
    assert duplicates(target=None, text=text, at=NOW, candidates=cands) == []
    assert similarity("", text) == 0.0 and similarity(text, text) == 1.0
