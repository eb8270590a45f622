"""A stand-in for GOV.UK Notify's API on loopback (aiohttp), for the sending and delivery tests.

It checks what Notify documents of a request and answers as Notify does:
- the `Authorization: Bearer` JSON Web Token: HS256, `typ` JWT, `iss` the service id, `iat` within
  30 seconds, signed with the key's secret (403 AuthError otherwise, 401 with no token);
- `POST /v2/notifications/letter` with a precompiled PDF (`reference`, base64 `content`, `postage`
  first | second | economy) and `POST /v2/notifications/email` (`email_address`, a known
  `template_id`, `personalisation`, a file sent as `{"file": base64, "filename", ...}`), refusing a
  bad one with 400 and Notify's ValidationError or BadRequestError;
- `GET /v2/notifications/{id}` and `GET /v2/notifications?reference=`: each status request moves a
  notification one step along its course (e-mail: created, sending, delivered; letter:
  pending-virus-check, accepted, received), or along a course a test sets (`fate`);
- 429 RateLimitError once `rate_limit_after` requests have been answered.

A letter's PDF is checked as Notify's printer checks it, independently of the app's own check: every
page A4 portrait, and the address read from Notify's address area of the first page (a letter with
fewer than three lines there fails validation, as Notify's does).
"""

from __future__ import annotations

import asyncio
import base64
import io
import re
import threading
import time
import uuid
from dataclasses import dataclass, field

import jwt
from aiohttp import web
from pypdf import PdfReader

from tests.mailserver import HOST, free_port

MM = 72 / 25.4
COURSE = {"email": ["created", "sending", "delivered"], "letter": ["pending-virus-check", "accepted", "received"]}
POSTAGE = ("first", "second", "economy")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def error(status: int, kind: str, message: str) -> web.Response:
    return web.json_response({"status_code": status, "errors": [{"error": kind, "message": message}]}, status=status)


@dataclass
class Notification:
    id: str
    type: str
    reference: str | None
    body: dict
    course: list[str]
    step: int = 0
    address: list[str] = field(default_factory=list)
    pdf: bytes = b""

    @property
    def status(self) -> str:
        return self.course[min(self.step, len(self.course) - 1)]


def address_lines(pdf: bytes) -> tuple[bool, list[str]]:
    """Whether every page is A4 portrait, and the text lines inside Notify's address area on page one
    (24.6-120 mm from the left, 39.5-66.3 mm from the top)."""
    reader = PdfReader(io.BytesIO(pdf))
    a4 = all(abs(float(p.mediabox.width) - 210 * MM) < 2 * MM and abs(float(p.mediabox.height) - 297 * MM) < 2 * MM
             and (p.get("/Rotate") or 0) in (0, 180) for p in reader.pages)
    page = reader.pages[0]
    height = float(page.mediabox.height)
    lines: dict[float, str] = {}

    def visit(text, cm, tm, font, size):
        x, y = tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]
        if text.strip() and 24.6 * MM - 1 <= x <= 120 * MM and 39.5 * MM <= height - y <= 66.3 * MM:
            lines[round(height - y)] = lines.get(round(height - y), "") + text

    page.extract_text(visitor_text=visit)
    return a4, [" ".join(lines[y].split()) for y in sorted(lines) if lines[y].strip()]


class NotifyServer:
    """Start with `start()`; `api_key` is what the app is given, `url` its base_url."""

    def __init__(self, *, key_name: str = "caseworker_test") -> None:
        self.service_id = str(uuid.uuid4())
        self.secret = str(uuid.uuid4())
        self.api_key = f"{key_name}-{self.service_id}-{self.secret}"
        self.templates = {str(uuid.uuid4()): "Your letter from the partnership: ((link_to_file))"}
        self.email_template = next(iter(self.templates))
        self.port = free_port()
        self.notifications: dict[str, Notification] = {}
        self.fate: dict[str, list[str]] = {}  # a reference's course, set by a test
        self.requests: list[tuple[str, str, int]] = []  # method, path, status answered
        self.rate_limit_after: int | None = None
        self.fail_next_with: int | None = None  # answer the next send with this status (500: no record kept)
        self._answered = 0

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    # --- checks every request passes ---------------------------------------------------------

    def _authorised(self, request: web.Request) -> web.Response | None:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return error(401, "AuthError", "Unauthorized: authentication token must be provided")
        token = header[len("Bearer "):]
        try:
            head = jwt.get_unverified_header(token)
            claims = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            return error(403, "AuthError", "Invalid token: signature, api token not found")
        if head.get("alg") != "HS256" or head.get("typ") != "JWT":
            return error(403, "AuthError", "Invalid token: algorithm used is not HS256")
        if claims.get("iss") != self.service_id:
            return error(403, "AuthError", "Invalid token: service not found")
        if "iat" not in claims:
            return error(403, "AuthError", "Invalid token: iat field not provided")
        try:
            jwt.decode(token, key=self.secret, algorithms=["HS256"], options={"verify_iat": False})
        except jwt.PyJWTError:
            return error(403, "AuthError", "Invalid token: signature, api token not found")
        if abs(time.time() - int(claims["iat"])) > 30:
            return error(403, "AuthError", "Error: Your system clock must be accurate to within 30 seconds")
        if self.rate_limit_after is not None and self._answered >= self.rate_limit_after:
            return error(429, "RateLimitError", "Exceeded rate limit for key type TEST of 3000 requests per 60 seconds")
        return None

    @web.middleware
    async def _gate(self, request: web.Request, handler):
        refusal = self._authorised(request)
        response = refusal or await handler(request)
        self.requests.append((request.method, request.path, response.status))
        if refusal is None:
            self._answered += 1
        return response

    # --- the endpoints -----------------------------------------------------------------------

    async def _letter(self, request: web.Request) -> web.Response:
        data = await request.json()
        if "content" not in data:
            return error(400, "ValidationError", "template_id is a required property")
        if not data.get("reference"):
            return error(400, "ValidationError", "reference is a required property")
        postage = data.get("postage", "second")
        if postage not in POSTAGE:
            return error(400, "ValidationError", "postage invalid. It must be first, second or economy.")
        try:
            pdf = base64.b64decode(data["content"], validate=True)
            a4, lines = address_lines(pdf)
        except Exception:  # noqa: BLE001 - anything unreadable is what Notify calls not a PDF
            return error(400, "BadRequestError", "Letter content is not a valid PDF")
        if refused := self._failing():
            return refused
        course = self.fate.get(data["reference"]) or COURSE["letter"]
        if not a4 or len(lines) < 3:
            course = ["pending-virus-check", "validation-failed"]
        made = self._keep("letter", data["reference"], data, course, address=lines, pdf=pdf)
        return web.json_response({"id": made.id, "reference": made.reference, "postage": postage}, status=201)

    async def _email(self, request: web.Request) -> web.Response:
        data = await request.json()
        for key in ("email_address", "template_id"):
            if not data.get(key):
                return error(400, "ValidationError", f"{key} is a required property")
        if data["template_id"] not in self.templates:
            return error(400, "BadRequestError", "Template not found")
        if "@" not in data["email_address"]:
            return error(400, "ValidationError", "email_address Not a valid email address")
        for value in (data.get("personalisation") or {}).values():
            if isinstance(value, dict) and "file" in value:
                content = base64.b64decode(value["file"])
                if not content.startswith(b"%PDF"):
                    return error(400, "BadRequestError", "Unsupported file type 'application/octet-stream'.")
        if refused := self._failing():
            return refused
        made = self._keep("email", data.get("reference"), data, self.fate.get(data.get("reference") or "")
                          or COURSE["email"])
        return web.json_response({"id": made.id, "reference": made.reference, "uri": f"{self.url}/v2/notifications/{made.id}",
                                  "content": {"subject": "Your letter", "body": self.templates[data["template_id"]],
                                              "from_email": "community.trigger@notifications.service.gov.uk"},
                                  "template": {"id": data["template_id"], "version": 1,
                                               "uri": f"{self.url}/v2/template/{data['template_id']}"}}, status=201)

    def _failing(self) -> web.Response | None:
        code, self.fail_next_with = self.fail_next_with, None
        if code == 500:
            return error(500, "Exception", "Internal server error")
        return None

    def _keep(self, kind: str, reference: str | None, body: dict, course: list[str], **more) -> Notification:
        made = Notification(str(uuid.uuid4()), kind, reference, body, list(course), **more)
        self.notifications[made.id] = made
        return made

    def _shown(self, n: Notification) -> dict:
        shown = {"id": n.id, "reference": n.reference, "type": n.type, "status": n.status,
                 "created_at": "2026-11-25T09:00:00.000000Z"}
        if n.type == "email":
            shown["email_address"] = n.body["email_address"]
        else:
            shown.update({f"line_{i}": line for i, line in enumerate(n.address, start=1)})
            shown["postage"] = n.body.get("postage", "second")
        return shown

    async def _one(self, request: web.Request) -> web.Response:
        ident = request.match_info["id"]
        if not UUID.match(ident):
            return error(400, "ValidationError", "notification_id is not a valid UUID")
        found = self.notifications.get(ident)
        if found is None:
            return error(404, "NoResultFound", "No result found")
        shown = self._shown(found)
        found.step += 1  # time passes: the next question finds it further along
        return web.json_response(shown)

    async def _many(self, request: web.Request) -> web.Response:
        reference = request.query.get("reference")
        found = [self._shown(n) for n in self.notifications.values() if reference in (None, n.reference)]
        return web.json_response({"notifications": found, "links": {"current": f"{self.url}/v2/notifications"}})

    # --- running -----------------------------------------------------------------------------

    def start(self) -> NotifyServer:
        app = web.Application(middlewares=[self._gate], client_max_size=10 * 1024 * 1024)
        app.router.add_post("/v2/notifications/letter", self._letter)
        app.router.add_post("/v2/notifications/email", self._email)
        app.router.add_get("/v2/notifications/{id}", self._one)
        app.router.add_get("/v2/notifications", self._many)
        self._loop = asyncio.new_event_loop()
        ready = threading.Event()

        def serve() -> None:
            asyncio.set_event_loop(self._loop)
            self._runner = web.AppRunner(app, access_log=None)
            self._loop.run_until_complete(self._runner.setup())
            self._loop.run_until_complete(web.TCPSite(self._runner, HOST, self.port).start())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=serve, daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if getattr(self, "_thread", None) is None:
            return
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._thread = None
