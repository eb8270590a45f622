"""A real SMTP server on loopback (aiosmtpd) for the sending tests: it keeps what it was sent.

It can ask for a password, speak STARTTLS or implicit TLS with a certificate made for the test (the
client trusts it through SSL_CERT_FILE, as it would a partnership's own CA), refuse recipients, or
stall before answering the message so the client's wait runs out.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import subprocess
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@dataclass
class Inbox:
    """The handler: every message accepted, and the sign-ins tried."""

    refuse_recipients: bool = False
    stall_seconds: float = 0.0
    received: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_recipients:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.stall_seconds:
            await asyncio.sleep(self.stall_seconds)
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 2.0.0 Ok: queued"


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, with its key, made by the openssl command."""
    cert, key = folder / "server.pem", folder / "server.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


class MailServer:
    """Start with `start()`, stop with `stop()`; `url` is what smtp_url is set to."""

    def __init__(self, *, password: str | None = None, user: str = "letters", tls: str | None = None,
                 cert: tuple[Path, Path] | None = None) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self.user = user if password else None
        kwargs: dict = {}
        if password:
            def check(server, session, envelope, mechanism, auth_data):
                if isinstance(auth_data, LoginPassword):
                    login, given = auth_data.login.decode(), auth_data.password.decode()
                    self.inbox.logins.append((login, given))
                    return AuthResult(success=login == user and given == password, handled=False)
                return AuthResult(success=False, handled=False)
            # aiosmtpd counts only STARTTLS as TLS for AUTH; an smtps:// connection is encrypted throughout.
            kwargs.update(authenticator=check, auth_required=True, auth_require_tls=tls == "starttls")
        if tls:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*map(str, cert))
            if tls == "starttls":
                kwargs.update(tls_context=context, require_starttls=True)
            else:
                kwargs.update(ssl_context=context)
        self.scheme = "smtps" if tls == "implicit" else "smtp"
        self.controller = Controller(self.inbox, hostname=HOST, port=self.port, **kwargs)

    @property
    def url(self) -> str:
        who = f"{self.user}@" if self.user else ""
        return f"{self.scheme}://{who}{HOST}:{self.port}"

    def start(self) -> MailServer:
        self.controller.start()
        self.running = True
        return self

    def stop(self) -> None:
        """Stop listening; again is harmless (a test may stop it to have nothing answer)."""
        if getattr(self, "running", False):
            self.controller.stop()
            self.running = False
