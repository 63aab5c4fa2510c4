"""What a search asks of SQLite (inspector.core.archive.query): the user's words as a safe FTS5 query, and the
necessary condition SQL checks for a JMESPath expression, which must never leave out a message the expression
matches (checked against the window's own filter on values of every JSON type)."""

from __future__ import annotations

import itertools
import json
import math
import sqlite3
from collections.abc import Iterator
from typing import Any

import jmespath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.core.archive import Archive, Row, TopicRef, words_query
from inspector.core.archive.query import prefilter
from inspector.core.errors import ValidationError
from inspector.core.filtering import JmesPathFilter
from inspector.core.models import Message
from inspector.core.rows import compact_json, make_row
from tests.unit.test_archive import START


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("order", '"order"'),
        ("order 1234", '"order" "1234"'),
        ('"payment declined" jane', '"payment declined" "jane"'),
        ("ord*", '"ord"*'),
        ('"jane do"*', '"jane do"*'),
        ("AND OR NOT", '"AND" "OR" "NOT"'),
        ("order-1234", '"order-1234"'),
        ('say"hi"', '"say" "hi"'),
        ("  spaced\tout\n", '"spaced" "out"'),
        ("a\x00b", '"a" "b"'),
        ("-- ok ()", '"ok"'),
        ('"unclosed phrase', '"unclosed phrase"'),
        ("NEAR(a b)", '"NEAR(a" "b)"'),
    ],
)
def test_words_become_quoted_fts5_strings(text: str, query: str) -> None:
    assert words_query(text) == query


@pytest.mark.parametrize("text", ["", "   ", '"', '""', "*", "-", "()", "\x1b", '" "*'])
def test_no_letter_or_digit_is_refused_in_words(text: str) -> None:
    with pytest.raises(ValidationError, match=r"search words: .* has no letter or digit to search for"):
        words_query(text)


def test_too_many_words_are_refused_in_words() -> None:
    with pytest.raises(ValidationError, match="has 33 words and phrases; a search takes up to 32"):
        words_query(" ".join(f"w{n}" for n in range(33)))


@pytest.fixture(scope="module")
def index() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE words USING fts5(body, content='', tokenize='unicode61 remove_diacritics 2')")
    db.execute("INSERT INTO words (rowid, body) VALUES (1, 'order 1234 payment declined zoë')")
    return db


@given(st.text(max_size=200))
@settings(max_examples=500)
def test_no_text_makes_an_fts5_syntax_error(index: sqlite3.Connection, text: str) -> None:
    try:
        query = words_query(text)
    except ValidationError:
        return
    index.execute("SELECT rowid FROM words WHERE words MATCH ?", (query,)).fetchall()


# ----- JMESPath: the necessary condition ------------------------------------------------------------------------
def test_what_sql_checks_of_an_expression() -> None:
    tree = jmespath.compile("payload.a.b == 'x' && payload.n > `5`").parsed
    pre = prefilter(tree)
    assert pre.sql == "(json_extract(payload, ?) = ?) AND (json_extract(payload, ?) + 0 > ?)"
    assert pre.params == ('$."a"."b"', "x", '$."n"', 5)
    assert pre.fts == '("x")'
    assert prefilter(jmespath.compile("!(payload.a == 'x')").parsed).sql is None
    assert prefilter(jmespath.compile("payload.a == 'x' || payload.b").parsed).fts is None  # b needs no word
    assert prefilter(jmespath.compile('payload."we\\"ird" == `1`').parsed).sql is None  # a key SQLite cannot spell


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False)
    | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
OPERATORS = ["==", "<", "<=", ">", ">=", "!="]
_topics = itertools.count(1)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    """One archive for the module's examples, each in a topic of its own."""
    archive = Archive(tmp_path_factory.mktemp("archive-query") / "archive.sqlite")
    yield archive
    archive.close()


def literal(value: Any) -> str | None:
    """The value as a JMESPath JSON literal (None for text with a backtick, which the literal cannot hold plainly)."""
    text = json.dumps(value, ensure_ascii=False)
    return None if "`" in text else f"`{text}`"


@given(
    values=st.lists(JSON_VALUES, min_size=1, max_size=6),
    bound=SCALARS,
    operator=st.sampled_from(OPERATORS),
    function=st.sampled_from(["", "contains", "starts_with", "ends_with"]),
)
@settings(max_examples=300, deadline=None)
def test_sql_never_leaves_out_a_match(
    shared: Archive, values: list[Any], bound: Any, operator: str, function: str
) -> None:
    """Payloads of every JSON type (big integers, escapes, controls, nesting) against comparisons and string
    functions with literals of every type: the archive's hits are the filter's matches."""
    if isinstance(bound, float) and math.isinf(bound):
        return
    archive = shared
    topic = next(_topics)
    rows: list[Row] = [
        (f"v{n}", "2024-05-01T09:00:00.000+00:00", 0, compact_json({"v": v})) for n, v in enumerate(values)
    ]
    archive.write([("https://h", topic, rows)])
    written = literal(bound)
    if written is None or (function and not isinstance(bound, str)):
        return
    expression = f"{function}(payload.v, {written})" if function else f"payload.v {operator} {written}"
    condition = JmesPathFilter(expression)
    kept = archive.newest("https://h", topic, 100)
    expected = [m.message_id for m in reversed(kept) if condition(make_row(0, m.message()))]
    found = [hit.message_id for hit in archive.search(jmespath=expression, topics=[TopicRef("https://h", topic)])]
    assert found == expected, expression


def test_the_payload_text_keeps_escapes_as_spaces_for_the_index(shared: Archive) -> None:
    archive = shared
    message = Message("e1", START, {"note": 'first\nsecond\ttab \\back "quoted" caf\u00e9 \u0007bell'})
    archive.write([("https://escapes", 1, [_row(message)])])
    where = [TopicRef("https://escapes", 1)]
    for word in ("second", "tab", "back", "quoted", "cafe", "first"):
        assert [h.message_id for h in archive.search(word, topics=where)] == ["e1"], word


def _row(message: Message) -> Row:
    return (message.message_id, message.time_rfc3339, 0, compact_json(message.payload))
