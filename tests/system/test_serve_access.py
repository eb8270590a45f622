"""What `caseworker serve` lets in: its own address as Host, websockets only from its own page with
that page's one-time token, a bounded number of sessions, whole requests in good time, no listings."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import time

import aiohttp
import pytest
from aiohttp import web

from caseworker_tui.serve import REQUEST_TIMEOUT, CaseworkerServer, allowed_hosts
from tests.system.test_serve import BOUND, descendants, free_port, serving, session_url


@pytest.fixture
def serve_env(tmp_path) -> dict[str, str]:
    return {**os.environ, "CASEWORKER_DATABASE_URL": f"sqlite:///{tmp_path / 'cases.sqlite'}"}


async def _open(http: aiohttp.ClientSession, url: str, **headers: str) -> int:
    """The status a websocket handshake gets: 101 when a session opened."""
    try:
        async with http.ws_connect(url, headers=headers):
            return 101
    except aiohttp.WSServerHandshakeError as exc:
        return exc.status


def test_a_websocket_needs_our_origin_and_the_pages_token_once(tmp_path, serve_env):
    with serving(tmp_path, serve_env) as server:
        origin = f"http://127.0.0.1:{server.port}"

        async def attempts() -> list[int]:
            async with aiohttp.ClientSession() as http:
                url = await session_url(http, origin)
                other = await session_url(http, origin)
                return [
                    await _open(http, url),  # no Origin: not a page of ours
                    await _open(http, url, Origin="https://elsewhere.example"),
                    await _open(http, f"{origin}/ws/made-up-token", Origin=origin),
                    await _open(http, f"{origin}/ws", Origin=origin),  # textual-serve's own address
                    await _open(http, other, Origin=origin),  # the page's token: opens
                    await _open(http, other, Origin=origin),  # and only once
                ]

        assert asyncio.run(attempts()) == [403, 403, 403, 404, 101, 403]


def test_another_name_for_this_server_is_refused(tmp_path, serve_env):
    """A page of another site whose name is made to resolve here (DNS rebinding) names that site as Host."""
    with serving(tmp_path, serve_env) as server:
        origin = f"http://127.0.0.1:{server.port}"

        async def attempts() -> list[int]:
            async with aiohttp.ClientSession() as http:
                rebound = {"Host": f"attacker.example:{server.port}"}
                async with http.get(f"{origin}/", headers=rebound) as page:
                    page_status = page.status
                async with http.get(f"{origin}/static/js/textual.js", headers=rebound) as asset:
                    asset_status = asset.status
                url = await session_url(http, origin)
                websocket = await _open(http, url, Origin=f"http://attacker.example:{server.port}", **rebound)
                async with http.get(f"{origin}/") as ours:
                    return [page_status, asset_status, websocket, ours.status]

        assert asyncio.run(attempts()) == [421, 421, 421, 200]
        assert descendants(server.proc.pid) == []


def test_no_folder_is_listed(tmp_path, serve_env):
    with serving(tmp_path, serve_env) as server:
        async def statuses() -> list[int]:
            async with aiohttp.ClientSession() as http:
                found = []
                for path in ("/static/", "/static/js/", "/static/js/textual.js"):
                    async with http.get(f"http://127.0.0.1:{server.port}{path}") as answer:
                        found.append(answer.status)
                return found

        listing, js_listing, script = asyncio.run(statuses())
        assert listing in (403, 404) and js_listing in (403, 404) and script == 200


def test_a_request_never_finished_is_closed(tmp_path, serve_env):
    with serving(tmp_path, serve_env) as server, socket.create_connection(("127.0.0.1", server.port)) as half_open:
        half_open.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and the rest never comes
        half_open.settimeout(REQUEST_TIMEOUT + BOUND)
        start = time.monotonic()
        assert half_open.recv(1024) == b""  # closed by the server
        assert time.monotonic() - start < REQUEST_TIMEOUT + BOUND


def test_serve_takes_its_public_address_and_caps_from_the_settings(tmp_path, monkeypatch):
    from caseworker_tui import cli

    monkeypatch.setenv("CASEWORKER_DATABASE_URL", f"sqlite:///{tmp_path / 'cases.sqlite'}")
    monkeypatch.setenv("CASEWORKER_PUBLIC_URL", "https://cases.example.org")
    monkeypatch.setenv("CASEWORKER_MAX_SESSIONS", "7")
    monkeypatch.setenv("CASEWORKER_MAX_SESSIONS_PER_ADDRESS", "2")
    made: list[CaseworkerServer] = []
    monkeypatch.setattr(CaseworkerServer, "serve", lambda self: made.append(self))
    assert cli.main(["serve", "--host", "0.0.0.0", "--port", "8123"]) == 0  # off loopback: the setting names it
    (server,) = made
    assert (server.public_url, server.max_sessions, server.max_sessions_per_address) == (
        "https://cases.example.org", 7, 2)
    assert server._origin == "https://cases.example.org"
    assert server._hosts == {"cases.example.org", "cases.example.org:443", "0.0.0.0:8123"}
    monkeypatch.setenv("CASEWORKER_MAX_SESSIONS", "many")
    assert cli.main(["serve"]) == 2


# --- how many sessions ---------------------------------------------------------------------------

async def test_sessions_are_capped_in_all_and_per_address(tmp_path):
    """Each refused handshake starts no process; the address behind a local proxy is X-Forwarded-For's last."""
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    server = CaseworkerServer([sys.executable, "-c", "import sys; sys.stdin.read()"], host="127.0.0.1", port=port,
                              public_url=origin, max_sessions=2, max_sessions_per_address=1)
    runner = web.AppRunner(await server._make_app())
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    opened = []
    try:
        async with aiohttp.ClientSession() as http:
            async def open_from(address: str) -> int:
                url = await session_url(http, origin)
                try:
                    ws = await http.ws_connect(url, headers={"Origin": origin,
                                                             "X-Forwarded-For": f"203.0.113.9, {address}"})
                except aiohttp.WSServerHandshakeError as exc:
                    return exc.status
                opened.append(ws)
                return 101

            async with asyncio.timeout(BOUND):
                statuses = [await open_from("198.51.100.1"), await open_from("198.51.100.1"),
                            await open_from("198.51.100.2"), await open_from("198.51.100.3")]
            assert statuses == [101, 503, 101, 503]
            assert sorted(s.address for s in server.sessions) == ["198.51.100.1", "198.51.100.2"]
            for ws in opened:
                await ws.close()
    finally:
        await runner.cleanup()


@pytest.mark.parametrize("url, host, port, expected", [
    ("http://127.0.0.1:8000", "127.0.0.1", 8000, {"127.0.0.1:8000"}),
    ("http://[::1]:8000", "::1", 8000, {"[::1]:8000"}),
    ("https://cases.example.org:8443", "0.0.0.0", 8000, {"cases.example.org:8443", "0.0.0.0:8000"}),
])
def test_the_hosts_accepted_are_the_public_and_the_bound_address(url, host, port, expected):
    assert allowed_hosts(url, host, port) == expected
