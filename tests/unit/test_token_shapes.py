"""Every token shape, in every context and encoding, is scrubbed from a crash report, whether the process holds
the token (a session's, the environment's) or knows it only by its prints (a keyring token)."""

from __future__ import annotations

import base64
import string

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from inspector.core import crash
from inspector.core.scrub import scrub_tokens, token_prints
from inspector.core.secrets import check_token_text
from tests.helpers import TOKEN_CONTEXTS, text_encodings, token_forms, token_leaks

CONTEXTS = TOKEN_CONTEXTS
ENCODINGS = text_encodings()
PRINTABLE = "".join(chr(c) for c in range(0x21, 0x7F))

hex_tokens = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)
base64_tokens = st.binary(min_size=6, max_size=48).map(lambda b: base64.b64encode(b).decode())  # "=" padding
urlsafe_tokens = st.binary(min_size=6, max_size=48).map(lambda b: base64.urlsafe_b64encode(b).decode().rstrip("="))
odd_ends = st.tuples(
    st.text(alphabet=string.ascii_letters + string.digits, min_size=7, max_size=40), st.sampled_from("-.=:")
).map("".join)
printable_tokens = st.text(alphabet=PRINTABLE, min_size=8, max_size=80)  # "! $ % @ * ," among them
tokens = st.one_of(hex_tokens, base64_tokens, urlsafe_tokens, odd_ends, printable_tokens)


def report_with(text: str, token: str, *, held: bool) -> str:
    error = RuntimeError(text)
    if held:
        return crash.format_report(error, "a test", tokens=[token])
    return crash.format_report(error, "a test", prints=token_prints(token))


@settings(max_examples=300, deadline=None)
@given(token=tokens, context=st.sampled_from(CONTEXTS), encoding=st.sampled_from(ENCODINGS), held=st.booleans())
@example(token="0123456789abcdef" * 4, context="https://h/v1/{t}", encoding="raw", held=False)
@example(token="QUJDREVGR0g=", context="{t}:", encoding="raw", held=False)
@example(token="abc!$%@*,def", context="{t}.", encoding="url-encoded", held=False)
def test_no_token_shape_context_or_encoding_leaks(token: str, context: str, encoding: str, held: bool) -> None:
    assert check_token_text(token) == token  # a token the app accepts
    form = token_forms(token)[encoding].decode()
    report = report_with("leaked " + context.format(t=form) + " here", token, held=held)
    assert token_leaks(report, token) == [], report


HEX = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


@pytest.mark.parametrize(
    ("token", "text"),
    [
        pytest.param(HEX, f"GET https://h/v1/{HEX} failed", id="hex-in-url-path"),
        pytest.param(HEX, f"key={HEX}&x=1", id="hex-after-key"),
        pytest.param(HEX, f"connecting to {HEX}:443", id="hex-before-port"),
        pytest.param(HEX, f"x{HEX}", id="hex-glued-to-a-letter"),
        pytest.param("QUJDREVGR0hJSktMTU5PUA==", "seen QUJDREVGR0hJSktMTU5PUA==: bad", id="base64-padded-then-colon"),
        pytest.param("QUJDREVGR0hJSktMTU5PUA==", "it was QUJDREVGR0hJSktMTU5PUA==.", id="base64-padded-then-stop"),
        pytest.param("ti-abcdefgh-", "ends ti-abcdefgh-: here", id="ends-in-dash"),
        pytest.param("ti-abcdefgh.", "ends ti-abcdefgh.. here", id="ends-in-dot"),
        pytest.param("a!b$c%d@e*f,g", "(a!b$c%d@e*f,g)", id="punctuation-token"),
        pytest.param("a!b$c%d@e*f,g", "q=a%21b%24c%25d%40e%2Af%2Cg", id="punctuation-url-encoded"),
        pytest.param("ti-secret-token", f"dump {b'ti-secret-token'.hex()} end", id="keyring-token-hex"),
        pytest.param("ti-secret-token", "Basic " + base64.b64encode(b"user:ti-secret-token").decode(), id="in-basic"),
    ],
)
@pytest.mark.parametrize("held", [True, False], ids=["held", "by-prints"])
def test_named_leaks_are_scrubbed(token: str, text: str, held: bool) -> None:
    report = report_with(text, token, held=held)
    assert token_leaks(report, token) == [], report
    assert "[token]" in report or "[redacted]" in report


def test_scrubbing_leaves_other_text_alone() -> None:
    token = "ti-" + "k" * 20
    text = "the topic 12 answered 503: try again; ids abc-def, 2026-12-06T00:00:00Z"
    assert scrub_tokens(text, [token], token_prints(token)) == text
