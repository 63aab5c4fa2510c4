"""Tokens out of text in every form they can take: as they are, URL-, form-, JSON-, repr-, hex- and
base64-encoded (inside longer base64 too, at each of its three alignments).

Two ways, for two kinds of token:
- a token the process holds (a session's, ``TOPIC_INSPECTOR_TOKEN``, the one a request is sending) is looked for
  directly, form by form;
- a keyring token is not held between requests, so it is known by its *prints*: for the token and each encoded form,
  its length and fingerprint (``token_fingerprint``). Every window of those lengths inside a run of printable
  characters is fingerprinted and compared, so a token is found whatever it is glued to (``key=T``, ``T:443``,
  ``https://h/v1/T``, ``xT``).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

from inspector.core import later

MARK = "[token]"

# A print: (the length of one form of a token, that form's fingerprint).
Print = tuple[int, str]

_prints_in_use: dict[str, frozenset[Print]] = {}
# Runs of the printable, non-space ASCII that tokens and all their encoded forms are made of.
_RUN = re.compile(r"[\x21-\x7e]+")


def token_fingerprint(token: str) -> str:
    """A stable, non-reversible key for a token, so registries of clients and limiters never hold the token."""
    return later.hashlib.sha256(token.encode()).hexdigest()[:32]


def token_forms(token: str) -> set[str]:
    """The token as text in every encoding a report, a URL, a header or a dump can hold it in."""
    raw = token.encode()
    forms = {
        token,
        quote(token, safe=""),
        quote_plus(token),
        json.dumps(token)[1:-1],
        repr(token)[1:-1],
        repr(raw)[2:-1],
        raw.hex(),
        raw.hex().upper(),
    }
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        for shift in range(3):  # inside longer base64 (Basic credentials, a dump) at one of 3 alignments
            encoded = encode(b"\0" * shift + raw).decode()
            forms.add(encoded[-(-8 * shift // 6) : 8 * (shift + len(raw)) // 6])  # the token's bits only
        forms.add(encode(raw).decode())  # on its own, padded with "="
    return {form for form in forms if len(form) >= 4}


def token_prints(token: str) -> frozenset[Print]:
    """The prints of ``token``: what finds it in text without holding it."""
    return frozenset((len(form), token_fingerprint(form)) for form in token_forms(token))


def remember_token(token: str) -> str:
    """Keep the prints of a token this process will not hold (a keyring token) so crash reports scrub it; returns
    its fingerprint."""
    fingerprint = token_fingerprint(token)
    if fingerprint not in _prints_in_use:
        _prints_in_use[fingerprint] = token_prints(token)
    return fingerprint


def prints_in_use() -> frozenset[Print]:
    """The prints of every token ``remember_token`` was given in this process."""
    return frozenset(p for prints in list(_prints_in_use.values()) for p in prints)


def fingerprints_in_use() -> frozenset[str]:
    return frozenset(_prints_in_use)


def scrub_tokens(text: str, tokens: Iterable[str] = (), prints: Iterable[Print] = ()) -> str:
    """``text`` with each of ``tokens`` and each token known by ``prints`` replaced by ``[token]``, in any form."""
    wanted: dict[int, set[str]] = {}
    for length, fingerprint in prints:
        wanted.setdefault(length, set()).add(fingerprint)
    if wanted:
        text = _RUN.sub(lambda m: _scrub_run(m.group(0), wanted), text)
    forms = {form for token in tokens if token and len(token) >= 4 for form in token_forms(token)}
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, MARK)
    return text


def _scrub_run(run: str, wanted: dict[int, set[str]]) -> str:
    """The run with every window whose fingerprint is wanted (for its length) replaced; overlapping finds merge."""
    sha256 = later.hashlib.sha256
    spans: list[tuple[int, int]] = []
    for length, fingerprints in wanted.items():
        start = 0
        while start + length <= len(run):
            if sha256(run[start : start + length].encode()).hexdigest()[:32] in fingerprints:
                spans.append((start, start + length))
                start += length
            else:
                start += 1
    if not spans:
        return run
    spans.sort()
    out, end = [], 0
    for first, last in spans:
        if first >= end:
            out += [run[end:first], MARK]
        elif last <= end:
            continue
        end = max(end, last)
    out.append(run[end:])
    return "".join(out)
