"""The event ids in a Qala publish answer, whose success body the seed does not show: every shape a server may
choose, and what is not an id to show."""

from __future__ import annotations

import pytest

from inspector.core.services.qala import answer_ids


@pytest.mark.parametrize(
    ("answer", "ids"),
    [
        ({"events": [{"index": 1, "id": "b"}, {"index": 0, "id": "a"}]}, ["a", "b"]),
        ({"events": [{"id": "a", "type": "t"}, {"id": "b", "type": "t"}]}, ["a", "b"]),  # by position
        ({"eventIds": ["a", None]}, ["a", None]),
        ([{"id": "a"}, {"eventId": "b"}], ["a", "b"]),
        (["a"], [None, None]),  # one id for two events: which one it belongs to is not known
        ({"eventIds": ["a", "b\x1b[2J"]}, ["a", None]),  # not printable: not an id to show
        ({"accepted": 2}, [None, None]),
        (None, [None, None]),
    ],
)
def test_answer_ids_shapes(answer: object, ids: list[str | None]) -> None:
    assert answer_ids(answer, 2) == ids
