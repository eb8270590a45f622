"""Browser access: textual-serve runs one app process per browser session, and ends it for certain.

textual-serve as released starts each session's app through a shell, asks it to quit when the
browser goes, and then forgets it: nothing waits for the process, signals it, or reads its output
any more. An app that cannot act on the request at once (busy with a backlog of input, or blocked
writing a screen nobody reads) runs on, and on when the server stops. Here every app is started
without a shell in a process group of its own, its output is read until it ends, and a session
that ends is followed through: ask the app to quit, then SIGTERM, then SIGKILL, each after a short
grace. Stopping the server does the same for every session. The app runs Textual's web driver as
adapted by `served_driver`, which ends the app should the server itself vanish.

What it accepts: requests whose Host is the public address (or the address it binds, where the
reverse proxy connects), websockets only from a page it served, with that page's Origin and its
one-time token, no more sessions than the settings allow in all and from one address, and no
connection that takes longer than REQUEST_TIMEOUT to send its request. It lists no folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import ipaddress
import logging
import os
import secrets
import signal
import sys
import time
from urllib.parse import urlsplit

from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from caseworker_tui.errors import InvalidInput

log = logging.getLogger("caseworker.serve")

DRIVER = "caseworker_tui.served_driver:ServedDriver"
QUIT_GRACE = 2.0  # seconds an app has to quit when asked, before SIGTERM
TERM_GRACE = 3.0  # and after SIGTERM, before SIGKILL
HEARTBEAT = 5.0  # seconds between websocket pings: a browser that vanished is noticed within ~8 s
REQUEST_TIMEOUT = 10.0  # seconds a connection has to send a whole request before it is closed
TOKEN_SECONDS = 60.0  # how long a served page's token opens a session
MAX_WAITING_TOKENS = 200  # pages served whose session has not opened yet; beyond that, pages wait
BEHIND_PROXY = ("caseworker serve speaks plain HTTP and has no single sign-on: put it behind the "
                "organisation's reverse proxy, which terminates TLS, and never expose the port itself.")


def app_command(demo: bool = False) -> list[str]:
    """What each browser session runs: the app itself, in this interpreter."""
    return [sys.executable, "-m", "caseworker_tui", *(["--demo"] if demo else [])]


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name other than localhost may resolve anywhere


def check_address(host: str, port: int, public_url: str | None) -> tuple[str, list[str]]:
    """The URL browsers use, and warnings to print; a server reachable from other machines must
    be given the URL people reach it by (the reverse proxy's), so it is never exposed by accident."""
    if not 0 < port < 65536:
        raise InvalidInput(f"--port: {port} is not a port number (1 to 65535)", "port")
    if public_url is not None:
        parts = urlsplit(public_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InvalidInput(f"--public-url: {public_url!r} is not an http:// or https:// address",
                               "public_url")
    if is_loopback(host):
        shown = f"[{host}]" if ":" in host else host
        return (public_url or f"http://{shown}:{port}").rstrip("/"), []
    if public_url is None:
        raise InvalidInput(f"--host: {host} is reachable from other machines; give --public-url, the "
                           f"https:// address of the reverse proxy in front of it. {BEHIND_PROXY}", "host")
    return public_url.rstrip("/"), [f"warning: {BEHIND_PROXY}"]


def client_address(request: web.Request) -> str:
    """The browser's address: the connection's, or, where that is a reverse proxy on this machine,
    the address the proxy added last to X-Forwarded-For (the one it saw; earlier ones anyone can write)."""
    peer = request.remote or ""
    forwarded = request.headers.get("X-Forwarded-For", "")
    if forwarded and is_loopback(peer):
        return forwarded.split(",")[-1].strip() or peer
    return peer


def allowed_hosts(public_url: str, host: str, port: int) -> set[str]:
    """The Host header values a request may carry: the public address (with or without its default
    port) and the bound address, where a reverse proxy on this machine connects."""
    parts = urlsplit(public_url)
    name = (parts.hostname or "").lower()
    name = f"[{name}]" if ":" in name else name
    default = 443 if parts.scheme == "https" else 80
    public_port = parts.port or default
    bound = f"[{host}]" if ":" in host else host.lower()
    found = {f"{name}:{public_port}", f"{bound}:{port}"}
    if public_port == default:
        found.add(name)
    if port == 80:
        found.add(bound)
    return found


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{static}css/xterm.css">
<style>
@font-face {{ font-family: "Roboto Mono"; font-style: normal; font-display: block;
  src: url("{static}fonts/RobotoMono-VariableFont_wght.ttf") format("truetype"); }}
@font-face {{ font-family: "Roboto Mono"; font-style: italic; font-display: block;
  src: url("{static}fonts/RobotoMono-Italic-VariableFont_wght.ttf") format("truetype"); }}
body {{ margin: 0; background: #0c181f; color: #e8eef2; font-family: "Roboto Mono", monospace; }}
.notice {{ position: fixed; inset: 0; display: flex; flex-direction: column; align-items: center;
  justify-content: center; gap: 1rem; z-index: 10; background: #0c181f; }}
.notice button {{ font: inherit; padding: .6rem 1.6rem; border: 0; background: #2d6a8f; color: #fff;
  cursor: pointer; }}
body.-first-byte .starting, body:not(.-closed) .ended, #start {{ display: none; }}
body .textual-terminal {{ opacity: 0; }}
body.-first-byte .textual-terminal {{ opacity: 1; }}
</style>
<script src="{static}js/textual.js"></script>
</head>
<body>
<div class="notice starting"><p>{title}: starting…</p></div>
<div class="notice ended"><p>Session ended.</p>
<button type="button" onclick="location.replace(location.pathname)">Start again</button></div>
<button type="button" id="start" onclick="location.replace(location.pathname)">Start</button>
<div id="terminal" class="textual-terminal" data-session-websocket-url="{websocket}"
 data-font-size="{font_size}"></div>
<script>
// The terminal takes keys as soon as the app's first screen arrives, so the sign-in needs no click
// first. Not before: the terminal tells the app it has the focus, which it cannot while connecting.
new MutationObserver(function (changes, watcher) {{
  var keys = document.querySelector("#terminal .xterm-helper-textarea");
  if (keys && document.body.classList.contains("-first-byte")) {{
    watcher.disconnect();
    if (document.activeElement !== keys) keys.focus();
  }}
}}).observe(document.body, {{attributes: true, attributeFilter: ["class"]}});
</script>
</body>
</html>
"""


class AppSession(AppService):
    """One browser session's app process, which ends when the session does."""

    def __init__(self, argv: list[str], environment: dict[str, str], **kwargs) -> None:
        super().__init__(" ".join(argv), **kwargs)
        self.argv = argv
        self.environment = environment
        self.address = ""  # the browser's, as `client_address` tells it
        self._ending: asyncio.Future[None] | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        env = super()._build_environment(width=width, height=height)
        return {**env, **self.environment, "TEXTUAL_DRIVER": DRIVER}

    async def _open_app_process(self, width: int = 80, height: int = 24):
        # No shell between us and the app, and a group of its own: signals reach the app itself.
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=self._build_environment(width, height),
            start_new_session=True)
        self._stdin = process.stdin
        return process

    # Output keeps being read after the browser has gone, so an app that is ending never blocks
    # on a full pipe; what it writes then is dropped.
    async def on_data(self, payload: bytes) -> None:
        with contextlib.suppress(ConnectionError, RuntimeError):
            await super().on_data(payload)

    async def on_meta(self, data: bytes) -> None:
        with contextlib.suppress(ConnectionError, RuntimeError):
            await super().on_meta(data)

    async def stop(self) -> None:
        """End the app process (once, however many callers ask) and wait until it has ended."""
        if self._ending is None:
            self._ending = asyncio.ensure_future(self._end())
        await asyncio.shield(self._ending)

    async def _end(self) -> None:
        process = self._process
        if process is None:
            return
        if self._task is not None and process.returncode is None:
            await self._download_manager.cancel_app_downloads(app_service_id=self.app_service_id)
            await self.send_meta({"type": "quit"})
        for sig, grace in ((None, QUIT_GRACE), (signal.SIGTERM, TERM_GRACE), (signal.SIGKILL, TERM_GRACE)):
            if sig is not None:
                self.signal_group(sig)
            if await self._ended_within(grace):
                break
        if self._task is not None:
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(self._task, TERM_GRACE)
            self._task = None

    async def _ended_within(self, seconds: float) -> bool:
        process = self._process
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while process.returncode is None and loop.time() < deadline:
            await asyncio.sleep(0.05)
        return process.returncode is not None

    def signal_group(self, sig: int) -> None:
        if self._process is not None and self._process.returncode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self._process.pid, sig)


class CaseworkerServer(Server):
    """textual-serve's server with its own page (nothing loaded from elsewhere) and sessions whose
    app processes are tracked from start to end."""

    def __init__(self, argv: list[str], *, host: str, port: int, public_url: str,
                 environment: dict[str, str] | None = None, title: str = "caseworker",
                 max_sessions: int = 20, max_sessions_per_address: int = 4) -> None:
        super().__init__(" ".join(argv), host=host, port=port, title=title, public_url=public_url)
        self.argv = argv
        self.environment = environment or {}
        self.sessions: set[AppSession] = set()
        self.max_sessions = max_sessions
        self.max_sessions_per_address = max_sessions_per_address
        self._tokens: dict[str, float] = {}  # one-time token -> when it stops opening a session
        parts = urlsplit(self.public_url)
        self._origin = f"{parts.scheme}://{parts.netloc}"
        self._ws_origin = ("wss" if parts.scheme == "https" else "ws") + f"://{parts.netloc}"
        self._hosts = allowed_hosts(self.public_url, host, port)

    async def _make_app(self) -> web.Application:
        """textual-serve's routes, with the session's token in the websocket's path, a static folder
        that lists nothing, and every request checked for its Host first."""
        app = web.Application(middlewares=[self._check_host])
        app.add_routes([
            web.get("/", self.handle_index, name="index"),
            web.get("/ws/{token}", self.handle_websocket, name="websocket"),
            web.get("/download/{key}", self.handle_download, name="download"),
            web.static("/static", self.statics_path, show_index=False, name="static"),
        ])
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        return app

    @web.middleware
    async def _check_host(self, request: web.Request, handler):
        """A page another site's name resolves to this server (DNS rebinding) names that site as Host."""
        if request.host.lower() not in self._hosts:
            raise web.HTTPMisdirectedRequest(text="This server answers only to its own address.")
        return await handler(request)

    # --- the page ------------------------------------------------------------------------------

    async def handle_index(self, request: web.Request) -> web.Response:
        static = f"{self.public_url}/static/"
        token = self._new_token()
        page = PAGE.format(title=html.escape(self.title), static=html.escape(static),
                           websocket=html.escape(f"{self._ws_origin}{urlsplit(self.public_url).path}/ws/{token}"),
                           font_size=to_int(request.query.get("fontsize", "16"), 16))
        return web.Response(text=page, content_type="text/html", headers=self._page_headers())

    def _page_headers(self) -> dict[str, str]:
        """Everything comes from this server; the page is never framed by another site."""
        policy = (f"default-src 'self' {self._origin}; connect-src 'self' {self._origin} {self._ws_origin}; "
                  f"style-src 'self' {self._origin} 'unsafe-inline'; script-src 'self' {self._origin} "
                  "'unsafe-inline'; img-src 'self' data: blob:; frame-ancestors 'none'; base-uri 'none'")
        return {"Content-Security-Policy": policy, "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
                "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}

    # --- sessions ------------------------------------------------------------------------------

    def _new_token(self) -> str:
        now = time.monotonic()
        self._tokens = {t: until for t, until in self._tokens.items() if until > now}
        if len(self._tokens) >= MAX_WAITING_TOKENS:
            raise web.HTTPServiceUnavailable(text="Too many pages are opening at once; try again in a minute.")
        token = secrets.token_urlsafe(32)
        self._tokens[token] = now + TOKEN_SECONDS
        return token

    def _refusal(self, request: web.Request) -> web.HTTPException | None:
        """Why a websocket may not open a session, if it may not. A browser always sends the Origin
        of the page that opens a websocket: only ours may, and only with the token that page was
        given, once. Sessions are counted in all and from each address."""
        if request.headers.get("Origin") != self._origin:
            return web.HTTPForbidden(text="This session must be opened from the caseworker page.")
        until = self._tokens.pop(request.match_info.get("token", ""), 0.0)
        if until < time.monotonic():
            return web.HTTPForbidden(text="This page has expired; load it again.")
        if len(self.sessions) >= self.max_sessions:
            return web.HTTPServiceUnavailable(text="The server is running as many sessions as it may.")
        address = client_address(request)
        if sum(s.address == address for s in self.sessions) >= self.max_sessions_per_address:
            return web.HTTPServiceUnavailable(text="This computer has as many sessions open as it may.")
        return None

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        refusal = self._refusal(request)
        if refusal is not None:
            raise refusal
        # A browser that never answers the closing handshake is not waited for long either.
        websocket = web.WebSocketResponse(heartbeat=HEARTBEAT, timeout=QUIT_GRACE)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        await websocket.prepare(request)
        session = AppSession(self.argv, self.environment, write_bytes=websocket.send_bytes,
                             write_str=websocket.send_str, close=websocket.close,
                             download_manager=self.download_manager, debug=self.debug)
        session.address = client_address(request)
        self.sessions.add(session)
        try:
            await session.start(width, height)
            await self._process_messages(websocket, session)
        except asyncio.CancelledError:
            pass
        except Exception:  # a browser sending nonsense ends its own session, nothing more
            log.exception("session ended by an error")
        finally:
            with contextlib.suppress(asyncio.CancelledError):
                await session.stop()
            self.sessions.discard(session)
            await websocket.close()
        return websocket

    async def on_startup(self, app: web.Application) -> None:
        """Nothing to say yet: the banner waits until the port is really listening."""

    def _listening(self, *_: object) -> None:
        self.console.print(f"caseworker: serving on {self.public_url} — each browser session signs in.")
        self.console.print("Ctrl+C stops the server and ends every session.")

    async def on_shutdown(self, app: web.Application) -> None:
        await asyncio.gather(*(s.stop() for s in list(self.sessions)), return_exceptions=True)

    def serve(self, debug: bool = False) -> None:
        self.debug = debug
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.request_exit)
        try:
            web.run_app(self._make_app(), host=self.host, port=self.port, handle_signals=False, loop=loop,
                        print=self._listening, shutdown_timeout=QUIT_GRACE + 2 * TERM_GRACE + 1,
                        keepalive_timeout=REQUEST_TIMEOUT)
        finally:
            for session in list(self.sessions):  # a last resort: none should be left by now
                session.signal_group(signal.SIGKILL)
