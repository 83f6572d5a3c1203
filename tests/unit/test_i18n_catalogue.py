"""The English catalogue matches the code: Babel extracts every ``T(...)`` message from the
source as ``pybabel extract`` does (babel.cfg), and each must have a non-empty, non-fuzzy
English translation using the same ``{fields}``; the catalogue holds no message the code no
longer has. The failure names each message and the commands that fix it."""

from __future__ import annotations

import string
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from core.i18n import DEFAULT, LOCALE_DIR, T, Text, catalogue_path, translate

ROOT = Path(__file__).parents[2]
PACKAGES = ("core", "api", "tracing", "accounts", "complaints", "profiles", "search", "gongzhi")
HOW = ("run `pybabel extract -F babel.cfg -k T --no-default-keywords --add-location=file "
       "--sort-by-file --no-wrap -o core/locale/gongzhi.pot " + " ".join(PACKAGES) + "` and "
       "`pybabel update -i core/locale/gongzhi.pot -d core/locale -D gongzhi -l en "
       "--no-fuzzy-matching --ignore-obsolete --no-wrap`, then write its English msgstr in "
       "core/locale/en/LC_MESSAGES/gongzhi.po")


def extracted() -> dict[str, str]:
    """msgid → where it is (first place), by Babel's own extractor with the T keyword."""
    found: dict[str, str] = {}
    for package in PACKAGES:
        for filename, lineno, message, _, _ in extract_from_dir(
                ROOT / package, method_map=[("**.py", "python")], keywords={"T": None}):
            if isinstance(message, str) and message:
                found.setdefault(message, f"{package}/{filename}:{lineno}")
    return found


def english():
    with catalogue_path("en").open("rb") as handle:
        return read_po(handle)


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_the_source_has_messages_to_translate():
    found = extracted()
    assert len(found) > 300
    assert "这个码不在追溯平台的记录中。如果它印在食品包装上，可能是仿冒产品，请保留包装并通过12315举报。" \
        in found


def test_every_message_has_an_english_translation():
    po = english()
    problems = []
    for msgid, where in sorted(extracted().items(), key=lambda item: item[1]):
        entry = po.get(msgid)
        if entry is None or not entry.string or entry.fuzzy:
            what = "is not in the catalogue" if entry is None else \
                "is fuzzy" if entry.fuzzy and entry.string else "has an empty msgstr"
            problems.append(f"msgid {msgid!r} ({where}) has no English translation ({what})")
    assert not problems, "\n".join(problems) + f"\nTo translate: {HOW}"


def test_the_catalogue_holds_no_stale_message():
    found = extracted()
    stale = [m.id for m in english() if m.id and m.id not in found]
    assert not stale, "\n".join(
        f"msgid {m!r} is in the catalogue but no longer in the code" for m in stale) + \
        f"\nTo drop them: {HOW} (--ignore-obsolete drops them)"


def test_each_translation_keeps_the_fields_of_its_message():
    wrong = [f"msgid {m.id!r}: msgstr {m.string!r} has fields {sorted(fields(m.string))}, "
             f"the message {sorted(fields(m.id))}"
             for m in english() if m.id and "{" in m.id and fields(m.id)
             and fields(m.id) != fields(m.string)]
    assert not wrong, "\n".join(wrong)


def test_the_catalogue_is_read_from_the_package():
    assert catalogue_path("en").is_relative_to(LOCALE_DIR)
    assert translate(T("该批次"), "en") == "This batch"
    assert translate(T("该批次"), DEFAULT) == "该批次"


def test_a_message_and_its_text_parameters_translate():
    text = T("{who}正在{level}召回：{reason}。{advice}", who=T("该批次"), level=T("一级"),
             reason="沙门氏菌", advice=T("请立即停止食用，{advice}",
                                         advice=T("可到购买处退货或拨打12315咨询。")))
    assert text == "该批次正在一级召回：沙门氏菌。请立即停止食用，可到购买处退货或拨打12315咨询。"
    assert translate(text, "en") == ("This batch is being recalled (class I): 沙门氏菌. Stop "
                                     "eating it at once. You can return it where you bought "
                                     "it or call 12315.")


def test_a_message_missing_from_the_catalogue_stays_chinese():
    text = T("没有译文的句子{n}", n=3)
    assert isinstance(text, Text) and translate(text, "en") == "没有译文的句子3"
