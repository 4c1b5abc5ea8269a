"""The interchange files' escape against spreadsheet formulas (domain/csvtext.py): reversible,
and no escaped text starts like a formula (OWASP "CSV Injection")."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.csvtext import FORMULA_START, formula_escape, formula_unescape

#: strings made mostly of what the escape looks at, so the interesting cases come often
_TRICKY = st.text(st.sampled_from(["'", "=", "+", "-", "@", "\t", "\r", "a", "中", " ", "\n"]),
                  max_size=8)


@pytest.mark.parametrize(("stored", "written"), [
    ("=SUM(A1)", "'=SUM(A1)"), ("+1", "'+1"), ("-5", "'-5"), ("@cmd", "'@cmd"),
    ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("'=x", "''=x"), ("''+y", "'''+y"),  # a stored quote before a trigger is kept
    ("'plain", "'plain"), ("'", "'"), ("''", "''"),  # a quote alone is no formula
    ("x=1", "x=1"), ("", ""), ("张三", "张三"), (" =x", " =x")])
def test_escape_examples(stored: str, written: str) -> None:
    assert formula_escape(stored) == written
    assert formula_unescape(written) == stored


def test_a_typed_quote_that_guards_a_formula_is_taken_off_on_reading() -> None:
    """A user who typed ``'=x`` in a file (as Excel users do to keep text) imports ``=x``."""
    assert formula_unescape("'=x") == "=x"
    assert formula_unescape("'-5") == "-5"
    assert formula_unescape("'abc") == "'abc"


@given(st.one_of(st.text(), _TRICKY))
def test_unescape_gives_back_every_string(text: str) -> None:
    assert formula_unescape(formula_escape(text)) == text


@given(st.one_of(st.text(), _TRICKY))
def test_no_escaped_text_starts_like_a_formula(text: str) -> None:
    assert not formula_escape(text).startswith(FORMULA_START)


@given(st.one_of(st.text(), _TRICKY))
def test_text_that_needs_no_escape_is_written_as_it_is(text: str) -> None:
    """Only text that starts with quotes then a trigger changes, by one quote."""
    escaped = formula_escape(text)
    assert escaped in (text, "'" + text)
    if escaped != text:
        assert text.lstrip("'").startswith(FORMULA_START)
