"""Control characters in free-form record values (pure): the check, and the importer's
pre-filter that skips it for lines that cannot hold one."""

from __future__ import annotations

import json

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracing.exchange.fields import RecordError, check_strings, check_values
from tracing.exchange.importer import _MAY_HOLD_CONTROL

CONTROLS = [chr(c) for c in range(32) if chr(c) not in "\t\n\r"]


@pytest.mark.parametrize("char", CONTROLS)
def test_every_c0_control_but_tab_newline_return_is_refused(char):
    with pytest.raises(RecordError) as caught:
        check_values({"name": "ok", "extra": {"note": f"a{char}b"}})
    assert (caught.value.code, caught.value.field) == ("control_characters", "note")


def test_paths_name_the_field_and_escape_bad_keys():
    with pytest.raises(RecordError) as caught:
        check_strings({"a": [{"b\x00c": 1}]}, "detail")
    assert caught.value.field == "detail.a[0].b\\x00c"
    check_strings({"a": ["\t\n\r", 1, None, 2.5, {"x": "中文"}]}, "detail")


@given(st.recursive(st.text() | st.integers(-2**63, 2**63 - 1) | st.none(),
                    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner)))
def test_the_pre_filter_never_misses_a_control_character(value):
    """Whatever JSON encoder the sender used, a line whose strings hold a refused control
    character matches the pre-filter (so the check runs)."""
    try:
        check_strings(value)
        refused = False
    except RecordError:
        refused = True
    for line in (orjson.dumps(value).decode(), json.dumps(value),
                 json.dumps(value, ensure_ascii=False)):
        if refused:
            assert _MAY_HOLD_CONTROL.search(line), line
