"""`caseworker serve`: the address rules, the page, file delivery, and no app process left behind.

The process tests start the real `caseworker serve` on a free loopback port, open real websocket
sessions from separate client processes, and end them the rough way (SIGKILL, a flood of input
that is never read back, a server that is killed). App processes are found through /proc among
the server's descendants. Every wait is bounded; none asserts how long something took.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import html
import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import aiohttp
import pytest

from caseworker_tui import cli
from caseworker_tui.config import demo_database_url
from caseworker_tui.delivery import DOCX, offer_file
from caseworker_tui.errors import InvalidInput
from caseworker_tui.models import bind
from caseworker_tui.models.schema import upgrade
from caseworker_tui.serve import CaseworkerServer, check_address
from caseworker_tui.services import accounts

ROOT = Path(__file__).resolve().parents[2]
BOUND = 30.0  # seconds any wait below may take before the test fails

# A browser stand-in: opens a session, says "ready" once the app has painted, then either reads
# quietly ("idle") or floods the app with resizes and keys ("flood"). Both go on reading, and so
# answer the server's pings: a browser that stops reading is taken for gone within seconds.
CLIENT = """
import asyncio, html, json, re, sys, aiohttp

async def main(origin, mode):
    async with aiohttp.ClientSession() as http:
        async with http.get(origin + "/") as page:
            url = html.unescape(re.search('data-session-websocket-url="([^"]+)"', await page.text()).group(1))
        await session(http, url + "?width=200&height=60", origin, mode)

async def session(http, url, origin, mode):
    async with http.ws_connect(url, headers={"Origin": origin}) as ws:
        while (await ws.receive()).type != aiohttp.WSMsgType.BINARY:
            pass
        print("ready", flush=True)
        if mode == "idle":
            async for _ in ws:
                pass

        async def drain():
            async for _ in ws:
                pass

        reader = asyncio.create_task(drain())  # noqa: F841 - kept running beside the flood
        i = 0
        while True:
            i += 1
            await ws.send_str(json.dumps(["resize", {"width": 200 + i % 2, "height": 60}]))
            await ws.send_str(json.dumps(["stdin", "\\t"]))
            await asyncio.sleep(0.005)

asyncio.run(main(*sys.argv[1:]))
"""


# --- helpers ------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a live process, or None once it has gone (a zombie has gone)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    state, ppid = text.rsplit(")", 1)[1].split()[:2]
    return None if state in ("Z", "X") else (state, int(ppid))


def descendants(pid: int) -> list[int]:
    """Every live process below `pid`: its children, theirs, and so on."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (st := _stat(int(entry.name))):
            parents.setdefault(st[1], []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        below = parents.get(todo.pop(), [])
        found += below
        todo += below
    return found


def alive(pids: list[int]) -> list[int]:
    return [p for p in pids if _stat(p) is not None]


def wait_for(condition: Callable[[], object], what: str, bound: float = BOUND):
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.1)
    pytest.fail(f"not within {bound:.0f} s: {what}")


class Served:
    """A `caseworker serve` process and the browser stand-ins opened against it."""

    def __init__(self, tmp_path: Path, env: dict[str, str], *options: str) -> None:
        self.port = free_port()
        self.log = tmp_path / f"serve-{self.port}.log"
        self.env = env
        self.clients: list[subprocess.Popen] = []
        self.started: list[int] = []  # every process the server started for a session
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "caseworker_tui", "serve", "--port", str(self.port), *options],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        wait_for(self._listening, f"the server listening on port {self.port}")

    def _listening(self) -> bool:
        if self.proc.poll() is not None:
            pytest.fail(f"serve ended early:\n{self.log.read_text()}")
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", self.port)) == 0

    def open_session(self, mode: str) -> tuple[subprocess.Popen, list[int]]:
        """A client in its own process, and the processes the server started for it."""
        before = set(descendants(self.proc.pid))
        client = subprocess.Popen([sys.executable, "-c", CLIENT, f"http://127.0.0.1:{self.port}", mode], env=self.env,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.clients.append(client)
        ready = selectors.DefaultSelector()
        ready.register(client.stdout, selectors.EVENT_READ)
        assert ready.select(BOUND) and client.stdout.readline().strip() == "ready", self.log.read_text()
        new = sorted(set(descendants(self.proc.pid)) - before)
        self.started += new
        return client, new

    def stop(self) -> None:
        for client in self.clients:
            client.kill()
            client.wait()
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def serve_env(tmp_path) -> dict[str, str]:
    return {**os.environ, "CASEWORKER_DATABASE_URL": f"sqlite:///{tmp_path / 'cases.sqlite'}"}


@contextlib.contextmanager
def serving(tmp_path: Path, env: dict[str, str], *options: str) -> Iterator[Served]:
    server = Served(tmp_path, env, *options)
    try:
        yield server
    finally:
        leftovers = descendants(server.proc.pid) + server.started
        server.stop()
        for pid in alive(leftovers):  # never leave a process behind, even when a test failed
            os.kill(pid, signal.SIGKILL)


@pytest.fixture
def served(tmp_path, serve_env) -> Iterator[Served]:
    with serving(tmp_path, serve_env) as server:
        yield server


ESCAPES = re.compile(r"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07]*\x07|[()][0-9A-B]|[=>])")


async def session_url(http: aiohttp.ClientSession, origin: str) -> str:
    """The websocket address a served page gives its browser, one-time token and all."""
    async with http.get(f"{origin}/") as page:
        found = re.search(r'data-session-websocket-url="([^"]+)"', await page.text())
    assert found, "the page names its session's websocket"
    return html.unescape(found.group(1))


async def first_screen(port: int) -> str:
    """The words of a new session's first screen (up to the footer, painted last)."""
    decode = codecs.getincrementaldecoder("utf-8")(errors="replace").decode
    seen = ""
    origin = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as http:
        url = await session_url(http, origin)
        async with http.ws_connect(f"{url}?width=120&height=40", headers={"Origin": origin}) as ws, \
                asyncio.timeout(BOUND):
            while "palette" not in seen:
                message = await ws.receive()
                if message.type != aiohttp.WSMsgType.BINARY:
                    continue
                seen += ESCAPES.sub(" ", decode(message.data))
    return seen


# --- no orphans ---------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["idle", "flood"])
def test_an_app_whose_browser_vanishes_ends(served, mode):
    """Killing the client mid-flood leaves its app with a long backlog of input; it ends anyway."""
    client, app = served.open_session(mode)
    assert len(app) == 1, "the app runs as the server's child, without a shell in between"
    if mode == "flood":
        time.sleep(3)  # let the backlog build up: seconds of work queued behind any request to quit
    client.kill()
    wait_for(lambda: not alive(app), f"the app process {app} ending")
    assert served.proc.poll() is None, "the server itself carries on"
    assert descendants(served.proc.pid) == []


def test_an_app_busy_with_input_ends_on_sigterm(served):
    """Textual's web driver only queues an exit on SIGTERM; the served app ends promptly instead."""
    client, app = served.open_session("flood")
    time.sleep(3)
    running = alive(app)
    assert running, "the app ended before it was asked to"
    for pid in running:
        with contextlib.suppress(ProcessLookupError):  # a short-lived child may end meanwhile
            os.kill(pid, signal.SIGTERM)
    wait_for(lambda: not alive(app), "the busy app ending on SIGTERM")
    assert served.proc.poll() is None


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl+C"])
def test_stopping_the_server_ends_every_session(served, sig):
    apps = served.open_session("idle")[1] + served.open_session("flood")[1]
    time.sleep(1)
    served.proc.send_signal(sig)
    wait_for(lambda: served.proc.poll() is not None, "the server stopping")
    wait_for(lambda: not alive(apps), f"every app process ending ({alive(apps)} still there)")


def test_apps_end_by_themselves_when_the_server_is_killed(served):
    """SIGKILL leaves the server no chance to clean up: each app notices its input close and ends."""
    apps = served.open_session("idle")[1] + served.open_session("idle")[1]
    served.proc.kill()
    served.proc.wait()
    wait_for(lambda: not alive(apps), f"the orphaned apps ending ({alive(apps)} still there)")


# --- sign-in -----------------------------------------------------------------------------------

@pytest.mark.parametrize("demo", [False, True], ids=["own accounts", "demo"])
def test_every_session_starts_at_the_sign_in(tmp_path, serve_env, demo):
    """Never signed in on the person's behalf; with --demo the demo accounts are listed there."""
    url = demo_database_url() if demo else serve_env["CASEWORKER_DATABASE_URL"]
    upgrade(bind(url))
    accounts.add_demo_users([("chris", "chair", "Chris Hall")], "demo")
    with serving(tmp_path, serve_env, *(["--demo"] if demo else [])) as server:
        screen = asyncio.run(first_screen(server.port))
    assert "Sign in with your account." in screen
    assert "Chris Hall" not in screen
    assert ("Demo accounts:" in screen) is demo


# --- the page and the address -------------------------------------------------------------------

def test_the_page_loads_nothing_from_elsewhere(served):
    async def fetch_all() -> tuple[aiohttp.ClientResponse, str, dict[str, int]]:
        origin = f"http://127.0.0.1:{served.port}"
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{origin}/") as page:
                text = await page.text()
            urls = re.findall(r"""(?:src|href)=["']([^"']+)|url\(["']?([^"')]+)""", text)
            statuses = {}
            for url in (a or b for a, b in urls):
                if url.startswith("data:"):
                    continue  # inline: nothing is fetched
                assert url.startswith(f"{origin}/static/"), url
                async with http.get(url) as asset:
                    statuses[url] = asset.status
            return page, text, statuses

    page, text, statuses = asyncio.run(fetch_all())
    assert page.status == 200
    assert set(statuses.values()) == {200} and len(statuses) == 4  # css, script and two fonts
    others = {u for u in re.findall(r"https?://[^\s\"')]+", text) if "127.0.0.1" not in u}
    assert others == set()
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert re.search(f'data-session-websocket-url="ws://127.0.0.1:{served.port}/ws/[A-Za-z0-9_-]{{43}}"', text)


def test_loopback_needs_no_public_url():
    assert check_address("127.0.0.1", 8000, None) == ("http://127.0.0.1:8000", [])
    assert check_address("localhost", 8080, None)[0] == "http://localhost:8080"
    assert check_address("::1", 8000, None)[0] == "http://[::1]:8000"


def test_another_address_needs_the_proxy_url_and_warns():
    url, warnings = check_address("0.0.0.0", 8000, "https://cases.example.org/")
    assert url == "https://cases.example.org"
    assert len(warnings) == 1 and "TLS" in warnings[0] and "reverse proxy" in warnings[0]
    with pytest.raises(InvalidInput, match="--public-url"):
        check_address("192.0.2.10", 8000, None)
    with pytest.raises(InvalidInput, match="--public-url"):
        check_address("127.0.0.1", 8000, "ftp://cases.example.org")
    with pytest.raises(InvalidInput, match="--port"):
        check_address("127.0.0.1", 70000, None)


def test_serve_off_loopback_without_public_url_exits_2(capsys):
    assert cli.main(["serve", "--host", "0.0.0.0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("caseworker: --host: 0.0.0.0") and "--public-url" in err
    assert "Traceback" not in err


# --- letters reach the browser ------------------------------------------------------------------

TINY_APP = """
import sys
from pathlib import Path
from textual.app import App
from caseworker_tui.delivery import offer_file

class Tiny(App):
    def on_mount(self):
        offer_file(self, Path(sys.argv[1]))

Tiny().run()
"""


async def test_a_letter_is_downloaded_in_the_browser(tmp_path):
    """Through the real server and web driver: the browser is told of the file and can fetch it."""
    letter = tmp_path / "CT-2026-0042 outcome.docx"
    letter.write_bytes(b"PK\x03\x04 not really a document, but these exact bytes" * 100)
    script = tmp_path / "tiny.py"
    script.write_text(TINY_APP)
    port = free_port()
    server = CaseworkerServer([sys.executable, str(script), str(letter)], host="127.0.0.1", port=port,
                              public_url=f"http://127.0.0.1:{port}")
    from aiohttp import web

    runner = web.AppRunner(await server._make_app())
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        origin = f"http://127.0.0.1:{port}"
        async with aiohttp.ClientSession() as http, \
                http.ws_connect(await session_url(http, origin), headers={"Origin": origin}) as ws:
            async with asyncio.timeout(BOUND):
                while True:
                    message = await ws.receive()
                    if message.type == aiohttp.WSMsgType.TEXT and message.json()[0] == "deliver_file_start":
                        key = message.json()[1]
                        break
            async with http.get(f"http://127.0.0.1:{port}/download/{key}") as download:
                body = await download.read()
                assert download.headers["Content-Type"] == DOCX
                assert "attachment" in download.headers["Content-Disposition"]
        assert body == letter.read_bytes()
    finally:
        await runner.cleanup()
    assert not [s for s in server.sessions if s.pid and alive([s.pid])]


async def test_in_a_terminal_the_app_says_where_the_letter_is(tmp_path):
    from textual.app import App
    from textual.content import Content

    class Recorder(App):
        said: list[str] = []

        def notify(self, message: str, **kwargs) -> None:
            # What the notification shows: the message, read as markup unless told otherwise.
            self.said.append(Content.from_markup(message).plain if kwargs.get("markup", True) else message)
            super().notify(message, **kwargs)

    tmp_path = tmp_path / "[b]letters"  # a folder whose name looks like markup is shown as it is
    tmp_path.mkdir()
    letter = tmp_path / "acknowledgement.docx"
    letter.write_bytes(b"PK")
    app = Recorder()
    async with app.run_test():
        assert offer_file(app, letter) is None
        assert offer_file(app, tmp_path / "gone.docx") is None
    assert app.said[0] == f"Saved to {letter}"
    assert "not there any more" in app.said[1]
    assert not (Path.home() / "Downloads" / letter.name).exists()
