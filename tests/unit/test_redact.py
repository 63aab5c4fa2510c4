"""Tokens never reach a log: the RedactingFilter on a real StreamHandler."""

from __future__ import annotations

import io
import itertools
import logging
from collections.abc import Iterator

import pytest

from inspector.core.redact import MASK, RedactingFilter, redact

_names = itertools.count()


@pytest.fixture
def capture() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A private logger with a redacting StreamHandler writing to a StringIO."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger(f"test.redact.{next(_names)}")
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    logger.addHandler(handler)
    try:
        yield logger, stream
    finally:
        logger.removeHandler(handler)
        handler.close()


SECRETS = ["abc.def-123", "xyz", "s3cr3t-value"]


def assert_clean(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, text
    assert MASK in text


def test_bearer_in_message(capture: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = capture
    logger.info("sending Authorization: Bearer abc.def-123 to the API")
    out = stream.getvalue()
    assert_clean(out)
    assert out.startswith("INFO sending Authorization: ")
    assert "to the API" in out


def test_lowercase_bearer(capture: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = capture
    logger.warning("header bearer abc.def-123")
    assert stream.getvalue() == f"WARNING header bearer {MASK}\n"


def test_token_field_in_message(capture: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = capture
    logger.info("calling with token=xyz now")
    out = stream.getvalue()
    assert_clean(out)
    assert out == f"INFO calling with token={MASK} now\n"


def test_json_authorization_field(capture: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = capture
    logger.info('headers {"authorization": "s3cr3t-value", "accept": "application/json"}')
    out = stream.getvalue()
    assert_clean(out)
    assert f'"authorization": "{MASK}"' in out
    assert '"accept": "application/json"' in out


def test_json_authorization_with_bearer(capture: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = capture
    logger.info('{"Authorization": "Bearer abc.def-123"}')
    assert_clean(stream.getvalue())


def test_percent_args(capture: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = capture
    logger.info("request %s with %s and %d retries", "Bearer abc.def-123", {"token": "xyz"}, 3)
    out = stream.getvalue()
    assert_clean(out)
    assert "and 3 retries" in out


def test_mapping_arg(capture: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = capture
    logger.info("auth %(auth)s", {"auth": "token=s3cr3t-value"})
    assert stream.getvalue() == f"INFO auth token={MASK}\n"


def test_exception_traceback(capture: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = capture
    try:
        raise RuntimeError("rejected Authorization: Bearer abc.def-123 (token=xyz)")
    except RuntimeError:
        logger.exception("publish failed for token=s3cr3t-value")
    out = stream.getvalue()
    assert_clean(out)
    assert "Traceback (most recent call last)" in out
    assert "RuntimeError: rejected Authorization: " in out
    assert "publish failed" in out


def test_exception_raised_from_a_local_variable(capture: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = capture
    headers = {"authorization": "Bearer abc.def-123"}
    try:
        raise ValueError(f"bad headers {headers}")
    except ValueError:
        logger.error("failed", exc_info=True)
    out = stream.getvalue()
    assert_clean(out)
    assert "ValueError: bad headers" in out


def test_clean_messages_pass_unchanged(capture: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = capture
    logger.info("consumed %d messages from topic %s", 5, 42)
    assert stream.getvalue() == "INFO consumed 5 messages from topic 42\n"


def test_filter_keeps_every_record(capture: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = capture
    logger.debug("Bearer abc.def-123")
    logger.error("token=xyz")
    assert stream.getvalue().splitlines() == [f"DEBUG Bearer {MASK}", f"ERROR token={MASK}"]


def test_second_handler_without_filter_sees_redacted_record(capture: tuple[logging.Logger, io.StringIO]) -> None:
    # The filter rewrites the record itself, so handlers that run after it see the redacted text too.
    logger, first = capture
    second = io.StringIO()
    plain = logging.StreamHandler(second)
    logger.addHandler(plain)
    try:
        logger.info("Bearer abc.def-123")
    finally:
        logger.removeHandler(plain)
        plain.close()
    assert "abc.def-123" not in first.getvalue()
    assert second.getvalue() == f"Bearer {MASK}\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bearer abc.def-123", f"Bearer {MASK}"),
        ("BEARER a+b/c=", f"BEARER {MASK}"),
        ("token=xyz", f"token={MASK}"),
        ("token: xyz", f"token: {MASK}"),
        ("access_token=xyz done", f"access_token={MASK} done"),
        ("'token': 'xyz'", f"'token': '{MASK}'"),
        ('"authorization":"s3cr3t-value"', f'"authorization":"{MASK}"'),
        ("nothing secret here", "nothing secret here"),
        # a value runs to whitespace or a quote, whatever punctuation it holds
        ("token=abc;SECRET next", f"token={MASK} next"),
        ("token=abc,SECRET", f"token={MASK}"),
        ("token=abc&SECRET", f"token={MASK}"),
        ("token=abc}SECRET", f"token={MASK}"),
        ("Bearer abc;SECRET", f"Bearer {MASK}"),
        ("Bearer: abc.def", f"Bearer: {MASK}"),
        # the other names credentials go by
        ("api_key=K1-abc x", f"api_key={MASK} x"),
        ("apikey: K1", f"apikey: {MASK}"),
        ("X-Api-Key: K1-abc", f"X-Api-Key: {MASK}"),
        ("password=hunter2!", f"password={MASK}"),
        ("client_secret=s3;x", f"client_secret={MASK}"),
        ('{"client_secret": "s3 x"}', f'{{"client_secret": "{MASK}"}}'),
        # the words themselves are a server's sentence, not a credential
        ("The bearer token is missing", "The bearer token is missing"),
        ("Bearer authentication required.", "Bearer authentication required."),
        ("the token is invalid", "the token is invalid"),
        ("secret tokens and passwords", "secret tokens and passwords"),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_redact_is_idempotent() -> None:
    once = redact('Bearer abc.def-123 token=xyz {"authorization": "s3cr3t-value"}')
    assert redact(once) == once
    assert_clean(once)
