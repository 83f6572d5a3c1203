"""Every message a person reads goes through ``T`` (core/i18n.py), so the catalogue has it and
English clients get it translated. Read from the source (AST): the message of any
``DomainError`` subclass (``RecordError`` included; ``GS1Error``'s is its second argument),
``message=`` keywords, ``"message"`` values of alerts and notices, and the message of
``rules.alert(...)`` may not be a bare string literal, an f-string or a string glued with
``+``; each ``T`` takes one literal Chinese template that Babel can extract."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
PACKAGES = ("core", "api", "tracing", "accounts", "complaints", "profiles", "search", "gongzhi")
SKIP = ("tracing/demo/", "gongzhi/migrations/")
# Chinese (CJK ideographs and punctuation) or nothing but digits, signs and {fields}.
CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def sources() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py")
                  if not any(p.relative_to(ROOT).as_posix().startswith(s) for s in SKIP))


def trees() -> dict[str, ast.Module]:
    return {p.relative_to(ROOT).as_posix(): ast.parse(p.read_text(encoding="utf-8"))
            for p in sources()}


def error_classes(modules: dict[str, ast.Module]) -> set[str]:
    """DomainError and every class deriving from it, by name, anywhere in the source."""
    bases: dict[str, set[str]] = {}
    for tree in modules.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases.setdefault(node.name, set()).update(
                    b.id if isinstance(b, ast.Name) else b.attr for b in node.bases
                    if isinstance(b, (ast.Name, ast.Attribute)))
    found = {"DomainError"}
    while True:
        more = {name for name, of in bases.items() if of & found} - found
        if not more:
            return found
        found |= more


def callee(node: ast.Call) -> str | None:
    func = node.func
    return func.id if isinstance(func, ast.Name) else \
        func.attr if isinstance(func, ast.Attribute) else None


def bare(node: ast.AST) -> bool:
    """A literal sentence not marked: a string, an f-string, or one glued with ``+``."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and node.value != ""
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return bare(node.left) or bare(node.right)
    if isinstance(node, ast.IfExp):
        return bare(node.body) or bare(node.orelse)
    return False


def messages(tree: ast.Module, errors: set[str]):
    """(node, what) for every place that holds a message a person reads."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = callee(node)
            if name in errors and node.args:
                yield node.args[0], f"{name}(...)"
            if name == "GS1Error" and len(node.args) > 1:
                yield node.args[1], "GS1Error(rule, ...)"
            if name == "alert" and len(node.args) > 2:
                yield node.args[2], "alert(kind, severity, ...)"
            for keyword in node.keywords:
                if keyword.arg == "message" and name != "T":
                    yield keyword.value, f"{name}(message=...)"
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if isinstance(key, ast.Constant) and key.value == "message":
                    yield value, '{"message": ...}'


def test_every_message_is_marked_with_T():
    modules = trees()
    errors = error_classes(modules)
    assert {"InvalidInput", "NotFound", "RecordError", "CodeMalformed"} <= errors
    unmarked = [f"{path}:{node.lineno} {what}: {ast.unparse(node)[:80]}"
                for path, tree in modules.items()
                for node, what in messages(tree, errors) if bare(node)]
    assert not unmarked, "wrap these messages in core.i18n.T(\"中文模板{name}\", name=...):\n" + \
        "\n".join(unmarked)


def test_every_T_is_one_literal_chinese_template():
    wrong = []
    for path, tree in trees().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id == "T":
                first = node.args[0] if node.args else None
                if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                    wrong.append(f"{path}:{node.lineno} T needs a literal template, not "
                                 f"{ast.unparse(first) if first else 'nothing'}")
                    continue
                outside = re.sub(r"\{[^{}]*\}", "", first.value)
                if not CHINESE.search(first.value) and re.search(r"[A-Za-z]", outside):
                    wrong.append(f"{path}:{node.lineno} T({first.value!r}) is not Chinese: "
                                 "the message id is the Chinese sentence")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("source, found", [
    ('raise InvalidInput("坏", field="x")', True),
    ('raise RecordError(f"{field} 坏", field=field)', True),
    ('raise NotFound("甲" + name)', True),
    ('out.append({"kind": "k", "message": "乙"})', True),
    ('alert("expired", "high", f"过期{day}")', True),
    ('raise InvalidInput(T("坏"), field="x")', False),
    ('raise InvalidInput(NOT_FOUND, field="x")', False),
    ('out.append({"kind": "k", "message": T("乙{n}", n=n)})', False),
])
def test_the_check_finds_bare_messages(source, found):
    tree = ast.parse(source)
    errors = {"InvalidInput", "RecordError", "NotFound"}
    assert any(bare(node) for node, _ in messages(tree, errors)) is found
