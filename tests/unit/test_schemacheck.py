"""Testing a schema change (``core.schemacheck``): slices, refusals and the one-sentence answer."""

from __future__ import annotations

from inspector.core.fieldlist import parse_fieldlist
from inspector.core.schemacheck import SchemaTest, slices

FIELDS = parse_fieldlist(
    [{"name": "id", "type": "integer"}, {"name": "customer", "type": "object", "properties": [{"name": "email"}]}]
)


def test_refusals_name_the_message_and_the_path() -> None:
    test = SchemaTest(FIELDS)
    found = test.check([("A1", {"id": 1, "customer": {"email": "a"}}), ("AbC12", {"id": 2, "customer": {}})])
    assert [(r.message_id, r.path, r.words) for r in found] == [
        ("AbC12", "customer.email", "`customer.email` is required")
    ]
    assert found[0].to_json() == {
        "message_id": "AbC12",
        "problems": [{"path": "customer.email", "error": "`customer.email` is required"}],
    }
    test.complete = True
    assert test.summary() == (
        "this change would refuse 1 of the 2 messages in the topic — first: message AbC12, `customer.email` is required"
    )


def test_summary_counts_in_words() -> None:
    test = SchemaTest(FIELDS)
    assert test.summary() == "the topic holds no messages to test this change against"
    items = [(f"M{n}", {"id": n, "customer": {"email": "e"}} if n % 27 else {"id": n}) for n in range(1000)]
    for part in slices(items, 300):
        test.check(part)
    assert test.summary().startswith("this change would refuse 38 of the first 1,000 messages read from the topic")
    test.complete = True
    assert test.summary().startswith(
        "this change would refuse 38 of the 1,000 messages in the topic — first: message M0"
    )
    one = SchemaTest(FIELDS, where="the topic and the Publish history")
    one.check([("history item 1", {"id": 1, "customer": {"email": "e"}})])
    one.complete = True
    assert one.summary() == "this change would refuse none of the 1 message in the topic and the Publish history"


def test_slices() -> None:
    assert [list(part) for part in slices(list(range(5)), 2)] == [[0, 1], [2, 3], [4]]
