"""The window's demo uses a random token, held in memory only: the emulator's public default is refused by it,
and no file the app writes holds the demo's token."""

from __future__ import annotations

from pathlib import Path

import httpx

from inspector.emulator.app import DEFAULT_TOKEN
from inspector.ui.context import AppContext
from inspector.ui.eventloop import EventLoop
from tests.helpers import token_leaks


def test_the_window_demo_uses_a_random_token_in_memory_only(qloop: EventLoop, ctx: AppContext, app_home: Path) -> None:
    async def scenario() -> str:
        profile = await ctx.start_demo()
        try:
            tokens = {ctx.session_tokens.get(p.account) for p in ctx.demo_profiles}
            assert len(tokens) == 1
            [token] = tokens
            assert token is not None
            assert token != DEFAULT_TOKEN
            assert len(token) >= 32
            async with httpx.AsyncClient(base_url=profile.base_url or "", trust_env=False) as http:
                for sent, status in ((DEFAULT_TOKEN, 401), (token, 200)):
                    answer = await http.post(
                        "/api/v1/topics/1/consume", json={}, headers={"Authorization": f"Bearer {sent}"}
                    )
                    assert answer.status_code == status, answer.text
            ctx.save_workspace()
            return token
        finally:
            await ctx.aclose()

    token = qloop.run_until_complete(scenario())
    written = [p for p in app_home.rglob("*") if p.is_file()]
    assert written, "the workspace was not saved"
    assert {str(p): token_leaks(p.read_bytes(), token) for p in written} == {str(p): [] for p in written}
