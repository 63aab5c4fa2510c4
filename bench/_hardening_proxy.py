"""A company network: the CLI (real processes) publishes to and consumes from an HTTPS emulator with a private CA
that only a local CONNECT proxy reaches (tests/proxy.py), with HTTPS_PROXY set and the CA added by --ca-bundle;
then the same without the CA must fail with the certificate's words.

``measure()`` returns ``{"proxy_ok": True}`` when both held (and the proxy saw the tunnels). Run alone, it prints
that as one JSON line (``HARDENING_PROXY_VERBOSE=1`` shows what the commands said).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the proxy and the HTTPS emulator live in tests/

NETWORK_ENV = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")
WORDS = "the server's certificate is not trusted (issuer"


def _cli(args: list[str], env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "inspector", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def measure() -> dict[str, bool]:
    from tests.proxy import CA_NAME, TOKEN, company_network

    with (
        tempfile.TemporaryDirectory(prefix="topic-inspector-proxy-") as folder,
        company_network(Path(folder) / "net") as net,
    ):
        topic = str(net.topic())
        env = {k: v for k, v in os.environ.items() if k.upper() not in NETWORK_ENV}
        env.update(TOPIC_INSPECTOR_HOME=f"{folder}/home", TOPIC_INSPECTOR_TOKEN=TOKEN, HTTPS_PROXY=net.proxy.url)
        trusted = ["--base-url", net.url, "--ca-bundle", str(net.tls.ca_file)]
        published = _cli(["publish", topic, *trusted], env, stdin='[{"n": 1}, {"n": 2}]')
        consumed = _cli(["consume", topic, *trusted], env)
        untrusted = _cli(["consume", topic, "--base-url", net.url], env)
        tunnels = list(net.proxy.tunnels)
    runs = {"publish": published, "consume": consumed, "consume without the CA": untrusted}
    if os.environ.get("HARDENING_PROXY_VERBOSE"):
        for name, run in runs.items():
            print(f"{name}: exit {run.returncode}\n{run.stdout}{run.stderr}", file=sys.stderr)
    read = [json.loads(line)["payload"] for line in consumed.stdout.splitlines()] if consumed.returncode == 0 else []
    ok = (
        published.returncode == 0
        and read == [{"n": 1}, {"n": 2}]
        and untrusted.returncode == 1
        and f"{WORDS} {CA_NAME}" in untrusted.stderr
        and "--ca-bundle FILE" in untrusted.stderr
        and bool(tunnels)
        and set(tunnels) == {net.url.removeprefix("https://")}
    )
    return {"proxy_ok": ok}


if __name__ == "__main__":
    print(json.dumps(measure()))
