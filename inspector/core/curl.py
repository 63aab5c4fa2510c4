"""The exact requests of a publish as curl commands, with ``$TOPIC_INSPECTOR_TOKEN`` where the token goes."""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from inspector.core.publisher import encode_all
from inspector.core.regions import Endpoint
from inspector.core.secrets import TOKEN_ENV
from inspector.core.validation import MAX_BATCH_ITEMS, batch_body, check_topic_id, chunk_encoded


def curl_command(url: str, body: bytes) -> str:
    # The token stays a shell variable: the command can be shared, pasted in a ticket or kept in a script.
    return " \\\n  ".join(
        [
            f"curl -sS -X POST {shlex.quote(url)}",
            f'-H "Authorization: Bearer ${TOKEN_ENV}"',
            "-H 'Content-Type: application/json'",
            f"--data-raw {shlex.quote(body.decode())}",
        ]
    )


def publish_as_curl(endpoint: Endpoint, topic_id: int, payloads: Sequence[object], *, single: bool) -> str:
    """The requests the publisher would send for ``payloads``: one single publish for a lone object, else
    one batch request per chunk of <= 100 items (single publishes where the endpoint has no batch)."""
    topic_id = check_topic_id(topic_id)
    encoded = encode_all(payloads)
    base = endpoint.events_url.rstrip("/")
    if single or not endpoint.supports_batch:
        commands = [curl_command(base + endpoint.publish_path(topic_id), item) for item in encoded]
    else:
        commands = []
        for span in chunk_encoded(encoded, max_items=MAX_BATCH_ITEMS):
            if len(span) == 1:  # as the publisher does: a lone item goes as a single publish
                commands.append(curl_command(base + endpoint.publish_path(topic_id), encoded[span[0]]))
            else:
                body = batch_body([encoded[i] for i in span])
                commands.append(curl_command(base + endpoint.batch_path(topic_id), body))
    if len(commands) == 1:
        return commands[0]
    header = f"# {len(commands)} requests, in order\n"
    return header + "\n\n".join(commands)
