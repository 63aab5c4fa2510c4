"""One reading of JMESPath for the table's filter and the replay's edit list: the same refusals in the same words,
from one module that neither of them is imported by."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import inspector.core
from inspector.core.errors import ValidationError
from inspector.core.expressions import ExpressionProblem, compile_expression
from inspector.core.filtering import make_filter
from inspector.core.transform import EditError, parse_edits

CORE = Path(inspector.core.__file__).parent


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_filtering_and_transform_share_expressions_and_not_each_other() -> None:
    filtering, transform = imported_modules(CORE / "filtering.py"), imported_modules(CORE / "transform.py")
    assert "inspector.core.expressions" in filtering
    assert "inspector.core.expressions" in transform
    assert "inspector.core.transform" not in filtering
    assert "inspector.core.filtering" not in transform
    assert not {"inspector.core.filtering", "inspector.core.transform"} & imported_modules(CORE / "expressions.py")


@pytest.mark.parametrize(
    ("expression", "reason", "position"),
    [
        ("payload.a ==", "the expression ends too soon", None),
        ("lenght(payload.items)", "unknown function lenght()", 0),
        ("length(payload.a, payload.b)", "length() takes 1 argument, not 2", 0),
        ("payload.a == `open`", "`open` is not a JSON value", 13),
        ("payload.items[::0]", "a slice step cannot be 0", None),
        ("   ", "empty expression", None),
    ],
)
def test_a_refusal_has_a_reason_and_a_place(expression: str, reason: str, position: int | None) -> None:
    with pytest.raises(ExpressionProblem) as caught:
        compile_expression(expression)
    assert caught.value.reason == reason
    if position is not None:
        assert caught.value.position == position


def test_an_unknown_function_suggests_the_close_one() -> None:
    with pytest.raises(ExpressionProblem) as caught:
        compile_expression("lenght(payload.items)")
    assert caught.value.hint == "did you mean length()?"


@pytest.mark.parametrize("expression", ["lenght(payload.items)", "payload.a == `open`", "payload.a =="])
def test_the_filter_and_an_edit_line_refuse_in_the_same_words(expression: str) -> None:
    with pytest.raises(ExpressionProblem) as problem:
        compile_expression(expression)
    with pytest.raises(ValidationError) as by_filter:
        make_filter("jmespath", expression)
    with pytest.raises(EditError) as by_edit:
        parse_edits(f"set x = {expression}")
    assert problem.value.reason in by_filter.value.message
    assert problem.value.reason in by_edit.value.message
    if problem.value.hint:
        assert by_filter.value.hint == by_edit.value.hint == problem.value.hint


def test_a_good_expression_is_compiled_once() -> None:
    assert compile_expression("payload.total > `100`") is compile_expression("payload.total > `100`")
    assert compile_expression("payload.total > `100`").search({"payload": {"total": 101}}) is True
