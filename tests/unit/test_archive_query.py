"""What a search asks of SQLite (inspector.core.archive.query): the user's words as a safe FTS5 query, and the
necessary condition SQL checks for a JMESPath expression, which must never leave out a message the expression
matches (checked against the window's own filter on values of every JSON type)."""

from __future__ import annotations

import itertools
import json
import math
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import jmespath
import jmespath.exceptions
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jmespath.visitor import TreeInterpreter

from inspector.core.archive import Archive, Row, TopicRef, words_query
from inspector.core.archive.convert import cleaned
from inspector.core.archive.evaluate import Condition, compile_tree
from inspector.core.archive.query import looks_like_id, prefilter
from inspector.core.archive.verdict import verdict
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
def test_what_sql_knows_of_an_expression() -> None:
    pre = prefilter(jmespath.compile("payload.a.b == 'x' && payload.n > `5`").parsed)
    assert pre.sql is not None
    assert pre.sql.startswith("CASE WHEN json_valid(payload) THEN ")  # NaN in a payload fails no query
    assert '$."a"."b"' in pre.params
    assert "x" in pre.params
    assert 5 in pre.params
    assert pre.fts == '("x")'
    assert prefilter(jmespath.compile("payload.items[?qty > `2`]").parsed).sql is None  # a filter: Python's
    assert prefilter(jmespath.compile("payload.a == 'x' || payload.b").parsed).fts is None  # b needs no word
    assert prefilter(jmespath.compile('payload."we\\"ird" == `1`').parsed).sql is None  # a key SQLite cannot spell
    assert prefilter(jmespath.compile("message_id == 'm1'").parsed).sql is not None  # no JSON read: no guard
    assert "json_valid" not in str(prefilter(jmespath.compile("message_id == 'm1'").parsed).sql)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("A4c92xYz", "A4c92xYz"),
        ("  01HQ-7c:9/x  ", "01HQ-7c:9/x"),
        ("order 1234", None),
        ('"A4c92"', None),
        ("ord*", None),
        ("", None),
        ("x" * 513, None),
    ],
)
def test_words_that_may_be_a_message_id(text: str, found: str | None) -> None:
    assert looks_like_id(text) == found


# ----- the verdict: SQL's answer equals JMESPath's, message by message --------------------------------------------
def _document(message_id: str, time_us: int, text: str) -> dict[str, Any]:
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=time_us)
    return {"message_id": message_id, "time": moment.isoformat(), "payload": json.loads(text)}


def _filter_matches(expression: str, document: dict[str, Any]) -> bool:
    """The window filter's test (inspector.core.filtering.JmesPathFilter), on a document."""
    try:
        result = jmespath.search(expression, document)
    except (ValueError, TypeError, RecursionError):
        return False
    return result not in (None, False, [], {}, "")


def _verdicts(expression: str, rows: list[tuple[str, int, str]]) -> list[int | None] | None:
    """SQL's verdict of each row (1, 0 or None), in an in-memory table shaped as the archive's; None when SQL
    knows nothing of the expression."""
    decided = verdict(jmespath.compile(expression).parsed)
    if decided is None:
        return None
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE messages (key INTEGER PRIMARY KEY, message_id TEXT, ts INTEGER, payload TEXT)")
    stored = [cleaned((m, "", t, p)) for m, t, p in rows]
    db.executemany(
        "INSERT INTO messages (message_id, ts, payload) VALUES (?, ?, ?)", [(m, t, p) for m, _, t, p in stored]
    )
    sql = f"SELECT {decided.text} FROM messages ORDER BY key"  # noqa: S608 - the verdict, its values as "?"
    found = [row[0] for row in db.execute(sql, decided.params)]
    db.close()
    return found


def check_verdicts(expression: str, rows: list[tuple[str, int, str]]) -> list[int | None]:
    """Every row SQL decides, it decides as the filter does (a NULL is Python's to decide)."""
    found = _verdicts(expression, rows) or [None] * len(rows)
    for (message_id, time_us, text), said in zip(rows, found, strict=True):
        if said is not None:
            expected = _filter_matches(expression, _document(message_id, time_us, text))
            assert bool(said) == expected, (expression, text, said)
    return found


SURROGATES = st.sampled_from(["\ud800", "a\udc80b", "\ud83d\ude00", "\udfff\ud800"])
TEXTS = st.text(max_size=6) | st.sampled_from(["", "a", "ab", "b", "A", "é", "😀", "a\x00b", "\x00", "1", "true"])
LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-3, max_value=3)
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.sampled_from([0.0, -0.0, 1.0, 1.5, -2.5, 1e300, 5e-324, 2.0**53 + 2, 9007199254740993])
    | st.floats(allow_nan=False)
    | TEXTS
    | SURROGATES
)
VALUES = st.recursive(
    LEAVES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["a", "b", "v"]), inner, max_size=2),
    max_leaves=5,
)
TIMES = st.integers(min_value=-(10**12), max_value=253402300799999999) | st.sampled_from(
    [0, 999_999, 1_000_000, 1_714_554_000_000_000, 1_714_554_000_000_001, 253402300799999999]
)
PATHS = st.sampled_from(
    ["payload.v", "payload.w", "payload.v[0]", "payload.v[-1]", "payload.v.a", "payload", "message_id", "time"]
)
LITERALS = st.sampled_from(
    [
        "`null`", "`true`", "`false`", "`0`", "`1`", "`-1`", "`1.5`", "`0.0`", "`9007199254740993`", "'a'", "''",
        "'ab'", "'b'", "'é'", "'1'", "`[]`", "`[1]`", "`{}`", "'2024-05-01'", "'1970-01-01T00:00:05'",
    ]
)  # fmt: skip


@st.composite
def operands(draw: st.DrawFn, depth: int = 0) -> str:
    choice = draw(st.integers(0, 9 if depth < 1 else 4))
    if choice <= 2:
        return draw(PATHS)
    if choice <= 4:
        return draw(LITERALS)
    if choice <= 6:
        return f"length({draw(operands(depth + 1))})"
    if choice == 7:
        return f"type({draw(operands(depth + 1))})"
    if choice == 8:
        return f"not_null({draw(operands(depth + 1))}, {draw(operands(depth + 1))})"
    name = draw(st.sampled_from(["contains", "starts_with", "ends_with"]))
    return f"{name}({draw(operands(depth + 1))}, {draw(operands(depth + 1))})"


@st.composite
def conditions(draw: st.DrawFn, depth: int = 0) -> str:
    choice = draw(st.integers(0, 7 if depth < 2 else 3))
    if choice <= 2:
        operator = draw(st.sampled_from(OPERATORS))
        return f"{draw(operands())} {operator} {draw(operands())}"
    if choice == 3:
        return draw(operands())
    if choice == 4:
        return f"!({draw(conditions(depth + 1))})"
    junction = draw(st.sampled_from(["&&", "||"]))
    return f"({draw(conditions(depth + 1))}) {junction} ({draw(conditions(depth + 1))})"


def _rows(pairs: list[tuple[Any, Any]], times: list[int]) -> list[tuple[str, int, str]]:
    return [(f"m{n}", times[n % len(times)], compact_json({"v": v, "w": w})) for n, (v, w) in enumerate(pairs)]


@given(
    expression=conditions(),
    pairs=st.lists(st.tuples(VALUES, VALUES), min_size=1, max_size=6),
    times=st.lists(TIMES, min_size=1, max_size=3),
)
@settings(max_examples=800, deadline=None)
def test_sql_decides_as_jmespath_does(expression: str, pairs: list[tuple[Any, Any]], times: list[int]) -> None:
    """Comparisons of paths, literals, length/type/not_null of them, contains/starts_with/ends_with, ``!``,
    ``&&``, ``||``, over payloads of every JSON type (big integers, -0.0, subnormals, U+0000, lone surrogates,
    nesting) and times: each message SQL decides, it decides as the window's filter does."""
    check_verdicts(expression, _rows(pairs, times))


PLAIN = [
    "payload.v == `1`",
    "payload.v > `0.5` && payload.w != 'a'",
    "length(payload.v) > `1` || !(payload.w)",
    "contains(payload.v, 'a') || starts_with(payload.w, 'a') || ends_with(payload.w, 'b')",
    "type(payload.v) == 'number' && not_null(payload.x, payload.w)",
    "payload.v < payload.w",
    "payload.v[0] == 'a' || payload.v[-1] == `2`",
    "payload.v",
    "message_id >= 'm3'",
    "time < '2024-05-01T09:00:01+00:00'",
]
PLAIN_VALUES = [None, True, False, 0, 1, 2.5, -0.0, "", "a", "ab", "ba", "é", [], [1, "a"], ["a", 2], {}, {"a": 1}]


@pytest.mark.parametrize("expression", PLAIN)
def test_sql_decides_every_ordinary_message(expression: str) -> None:
    """What the translation reads, it decides without Python for every payload SQLite reads as Python does."""
    pairs = [(v, w) for v in PLAIN_VALUES for w in PLAIN_VALUES[::3]]
    found = check_verdicts(expression, _rows(pairs, [1_714_554_000_000_000, 1_714_554_000_500_000]))
    assert None not in found, expression


def test_what_sqlite_reads_unlike_python_is_left_to_python() -> None:
    rows = _rows([(2**70, 0), ("a\x00b", 0), ([1, "a\x00b"], 0)], [0])
    rows.append(("nan", 0, '{"v":NaN,"w":1180591620717411303424}'))  # json's text for NaN: not JSON to SQLite
    assert _verdicts("payload.v == `1`", rows[:2]) == [None, None]
    assert _verdicts("length(payload.v) > `1`", rows) == [None, None, 1, None]
    assert _verdicts("contains(payload.v, 'a')", rows) == [None, None, None, None]
    assert _verdicts("payload.w == `0`", rows) == [1, 1, 1, None]


# ----- the compiled evaluation: jmespath's results, faster -----------------------------------------------------
EXPRESSION_PARTS = st.sampled_from(
    [
        "payload.v", "payload.w", "payload.v[0]", "payload.v[-1]", "payload.v[1:]", "payload.v[::-1]", "payload.*",
        "payload.v[*]", "payload.v[*].a", "payload.v[]", "payload.v[?a]", "payload.v[?@ == `1`]", "@", "time",
        "payload.v[?a > `0`].b", "payload.v | [0]", "[payload.v, payload.w]", "{x: payload.v, y: message_id}",
        "`1`", "`0`", "'a'", "`[1, 2]`", "`null`", "`true`", "*.v", "payload.v.a.b", "payload.\"v\"", "message_id",
    ]
)  # fmt: skip
FUNCTIONS = st.sampled_from(
    [
        "length($)", "abs($)", "ceil($)", "floor($)", "keys($)", "values($)", "to_string($)", "to_number($)",
        "to_array($)", "type($)", "max($)", "min($)", "sum($)", "avg($)", "sort($)", "reverse($)",
        "not_null($, `1`)", "contains($, 'a')", "contains($, `1`)", "starts_with($, 'a')", "ends_with($, 'b')",
        "join(',', $)", "merge($, `{}`)", "sort_by($, &a)", "max_by($, &a)", "min_by($, &a)", "map(&a, $)",
    ]
)  # fmt: skip


@st.composite
def expressions(draw: st.DrawFn, depth: int = 0) -> str:
    choice = draw(st.integers(0, 8 if depth < 2 else 1))
    if choice <= 1:
        return draw(EXPRESSION_PARTS)
    if choice <= 3:
        return draw(FUNCTIONS).replace("$", draw(expressions(depth + 1)))
    if choice == 4:
        return f"{draw(expressions(depth + 1))} {draw(st.sampled_from(OPERATORS))} {draw(expressions(depth + 1))}"
    if choice == 5:
        return f"!({draw(expressions(depth + 1))})"
    if choice == 6:
        junction = draw(st.sampled_from(["&&", "||", "|"]))
        return f"({draw(expressions(depth + 1))}) {junction} ({draw(expressions(depth + 1))})"
    if choice == 7:
        return f"payload.v[?{draw(expressions(depth + 1))}]"
    return f"({draw(expressions(depth + 1))}).{draw(st.sampled_from(['a', 'v', 'w']))}"


@given(expression=expressions(), v=VALUES, w=VALUES, time_us=TIMES)
@settings(max_examples=2000, deadline=None)
def test_the_compiled_condition_returns_what_jmespath_returns(expression: str, v: Any, w: Any, time_us: int) -> None:
    """The compiled functions give jmespath's value (of the same type) or fail where it fails, and match where
    the window's filter matches."""
    try:
        tree = jmespath.compile(expression).parsed
    except jmespath.exceptions.JMESPathError:
        return
    text = compact_json({"v": v, "w": w})
    document = _document("m1", time_us, text)
    try:
        expected: Any = repr(TreeInterpreter().visit(tree, document))
    except (ValueError, TypeError, RecursionError) as exc:
        expected = type(exc)
    try:
        got: Any = repr(compile_tree(tree)(document))
    except (ValueError, TypeError, RecursionError) as exc:
        got = type(exc)
    assert (got if isinstance(got, str) else "error") == (expected if isinstance(expected, str) else "error"), (
        expression
    )
    stored = cleaned(("m1", "", time_us, text))[3]
    matches = _filter_matches(expression, document)
    condition = Condition(tree)
    assert condition.matches("m1", time_us, stored) == matches, expression
    assert condition.matching([(7, "m1", time_us, stored.encode(), None)]) == ([7] if matches else []), expression


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
