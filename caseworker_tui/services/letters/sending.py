"""Sending a produced letter to the person it is for: by e-mail through the partnership's SMTP server,
or by post in the day's print pack.

A send claims the letter version first (its `send_key`, in a conditional update), then hands the
message over, then records what happened and meets the letter's step through `record_sent`, the
same code marking a letter sent by hand runs. So two people pressing Send at once send once; a
retry after the server refused sends again under the same key; and a send whose outcome nobody
knows (the connection dropped while the message was going, or the process died) is never sent
again by itself: a person checks, then marks it sent or produces a new version.

The carrier is a seam: `SmtpCarrier` here, and GOV.UK Notify's letter and e-mail (`notify`), each a
`Carrier` taking the same `Outgoing` message (its `key` is what Notify calls a reference). Every
hand-over is recorded for `delivery` to follow.
"""

from __future__ import annotations

import ipaddress
import smtplib
import ssl
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import unquote, urlsplit

from caseworker_tui.errors import CaseworkerError, InvalidInput
from caseworker_tui.models import Applicant, Letter
from caseworker_tui.services import audit, clock, context
from caseworker_tui.services.letters.delivery import FAILED, record_handover
from caseworker_tui.services.letters.kinds import BY_KEY
from caseworker_tui.services.letters.print_pack import PrintPack, print_pack
from caseworker_tui.services.letters.producing import ProducedLetter, get_letter, letter_row, make_pdf, record_sent
from caseworker_tui.services.permissions import Actor, require
from caseworker_tui.services.unit import reading, transaction

if TYPE_CHECKING:
    from caseworker_tui.config import Settings

# What `send` takes: how the person receives it, and what carries it.
VIAS = ("email", "post", "notify-letter", "notify-email")
CHANNEL_OF = {"email": "email", "post": "post", "notify-letter": "post", "notify-email": "email"}
SMTP_TIMEOUT_SECONDS = 30.0
# A send no longer in these may not be tried again under the same key: it went, or may have.
_RETRYABLE = ("failed", *FAILED)
_MAY_TRY = (None, *_RETRYABLE)


class SendRefused(CaseworkerError):
    """The letter cannot be sent this way now; nothing left."""


class SendFailed(CaseworkerError):
    """The carrier did not take the letter; it was not sent and may be tried again."""


class SendUncertain(CaseworkerError):
    """The letter may or may not have gone: a person must check before it is sent again."""


@dataclass(frozen=True)
class Recipient:
    """Who a letter goes to, as the confirmation names them."""

    name: str
    email: str | None
    address: str  # postal, for the print pack's list
    postcode: str
    to_agency: bool
    prefers: str = "email"  # the applicant's preferred contact: email | post | phone


@dataclass(frozen=True)
class Outgoing:
    """One letter as any carrier needs it."""

    key: str  # the letter version's idempotency key
    to: Recipient
    sender: str
    reply_to: str
    subject: str
    body: str
    pdf: Path
    filename: str


class Carrier(Protocol):
    """What takes a letter to a person's inbox: SMTP now, GOV.UK Notify later."""

    name: str  # recorded as the letter's sent_via

    def deliver(self, message: Outgoing) -> str:
        """Hand the message over; return the carrier's id for it. Raise SendFailed when it surely did
        not go, SendUncertain when it may have."""


@dataclass(frozen=True)
class SendResult:
    letter: ProducedLetter
    recipient: Recipient
    pack: PrintPack | None = None
    key_kind: str | None = None  # for a Notify send: the kind of key it went with (test | team | live)


# --- who it goes to -------------------------------------------------------------------------

def recipient_of(letter_id: int) -> Recipient:
    """The letter's recipient: the agency it was made for (its e-mail from the policy), or the applicant."""
    with reading():
        row = letter_row(letter_id)
        kind = BY_KEY.get(row.kind)
        if kind is not None and kind.to_agency:
            return _agency(row)
        person = Applicant.get(Applicant.case == row.case)
        return Recipient(person.name, person.email or None, person.address, person.postcode, to_agency=False,
                         prefers=person.preferred_contact)


def _agency(row: Letter) -> Recipient:
    policy = context.policy()
    key = row.agency or next((k for k, a in policy.agencies.items() if a.label == row.recipient), None)
    agency = policy.agencies.get(key) if key else None
    if agency is None:
        raise SendRefused(f"This letter does not say which agency it is to ({row.recipient}); produce it again.")
    return Recipient(agency.label, agency.email, "", "", to_agency=True)


# --- sending --------------------------------------------------------------------------------

def send(letter_id: int, actor: Actor, via: str, settings: Settings) -> SendResult:
    """Send the letter by e-mail (the PDF attached, or through Notify as a file link), through Notify's
    printed post, or into today's print pack; its step is then met."""
    from caseworker_tui.services.letters import layout, notify

    require(actor, "send_letter")
    if via not in VIAS:
        raise InvalidInput(f"via: must be one of {', '.join(VIAS)}, not {via!r}", "via")
    letter = get_letter(letter_id)
    _refuse_unless_sendable(letter)
    to = recipient_of(letter_id)
    if CHANNEL_OF[via] == "email":
        carrier = carrier_for(settings) if via == "email" else notify.carrier(settings, "email", "")
        if not to.email:
            whose = f"{to.name} (set [agencies.{letter.agency}] email in the policy)" if to.to_agency else to.name
            raise SendRefused(f"There is no e-mail address for {whose}; send the letter by post.")
        sent = _hand_over(make_pdf(letter_id, actor), actor, to, carrier, "email", settings)
        return SendResult(sent, to, key_kind=getattr(carrier, "key_kind", None))
    if not to.to_agency and not to.address.strip():
        raise SendRefused(f"There is no postal address for {to.name}; send the letter by e-mail.")
    if via == "post":
        return _by_post(make_pdf(letter_id, actor), actor, settings)
    if to.to_agency:
        raise SendRefused(f"A letter to {to.name} carries no postal address for Notify to print; e-mail it.")
    carrier = notify.carrier(settings, "letter", context.policy().sending.postage)
    made = make_pdf(letter_id, actor)
    unfit = layout.problems(Path(made.pdf_path or ""), [to.name, to.postcode])
    if unfit:  # Notify would refuse it days later (validation-failed); said now, before anything goes
        raise SendRefused("GOV.UK Notify would not print this letter: " + "; ".join(unfit[:2])
                          + ". Check the template with `caseworker letters check`, or send the letter another way.")
    return SendResult(_hand_over(made, actor, to, carrier, "post", settings), to, key_kind=carrier.key_kind)


def _refuse_unless_sendable(letter: ProducedLetter) -> None:
    words = f"Version {letter.version_no} of the {letter.kind.replace('_', ' ')} letter"
    if letter.sent_on is not None:
        raise SendRefused(f"{words} was already sent on {letter.sent_on:%d %B %Y} by {letter.channel}; "
                          "it is not sent twice.")
    if letter.delivery_status not in _MAY_TRY:
        raise SendUncertain(f"{words} may already have gone: a send began at {letter.sent_at:%H:%M on %d %B %Y} "
                            "and its end was not recorded. Ask the recipient or the mail server's administrator; "
                            "then mark it sent, or produce a new version to send.")
    with reading():
        newer = Letter.select().where((Letter.case == letter.case_id) & (Letter.kind == letter.kind)
                                      & (Letter.agency.is_null() if letter.agency is None else Letter.agency == letter.agency)
                                      & (Letter.version_no > letter.version_no)).exists()
    if newer:
        raise SendRefused(f"{words} has been replaced by a later version; send that one.")


def send_key(letter: ProducedLetter) -> str:
    """The same for every try of one letter version, and for no other version."""
    return f"letter-{letter.id}-v{letter.version_no}-{letter.checksum[:16]}"


def _claim(letter: ProducedLetter, *, sent_via: str, status: str, sent_to: str | None) -> str:
    """Take the letter version for this send, or refuse: someone else's send has it."""
    key = send_key(letter)
    claimed = (Letter.update(send_key=key, sent_via=sent_via, delivery_status=status, sent_at=clock.now(),
                             sent_to=sent_to)
               .where((Letter.id == letter.id) & Letter.sent_on.is_null()
                      & (Letter.delivery_status.is_null() | Letter.delivery_status.in_(_RETRYABLE)))
               .execute())
    if not claimed:
        raise SendRefused(f"Version {letter.version_no} of the {letter.kind.replace('_', ' ')} letter is being "
                          "sent or was sent already; it is not sent twice.")
    return key


def _hand_over(letter: ProducedLetter, actor: Actor, to: Recipient, carrier: Carrier, channel: str,
               settings: Settings) -> ProducedLetter:
    message = _outgoing(letter, to, settings)
    with transaction():
        _claim(letter, sent_via=carrier.name, status="sending", sent_to=to.email if channel == "email" else None)
    try:
        provider_id = carrier.deliver(message)
    except SendFailed as exc:
        _record_trouble(letter, actor, "failed", carrier.name, exc)
        raise
    except SendUncertain as exc:
        _record_trouble(letter, actor, "unknown", carrier.name, exc)
        raise
    except BaseException as exc:  # a fault of ours mid-send: whether it left is unknown, so it is not retried
        _record_trouble(letter, actor, "unknown", carrier.name, exc)
        raise
    status = "created" if carrier.name == "notify" else "sent"  # Notify's first status; SMTP's last
    key_kind = getattr(carrier, "key_kind", None)
    with transaction():
        Letter.update(delivery_status=status, provider_id=provider_id).where(Letter.id == letter.id).execute()
        record_handover(letter.id, channel=channel, carrier=carrier.name, status=status, provider_id=provider_id,
                        key_kind=key_kind)
        return record_sent(letter.id, actor, clock.today(), channel, sent_via=carrier.name, provider_id=provider_id,
                           recipient="agency" if to.to_agency else "applicant", **({"key_kind": key_kind} if key_kind else {}))


def _record_trouble(letter: ProducedLetter, actor: Actor, status: str, carrier: str, problem: Exception) -> None:
    with transaction():
        row = letter_row(letter.id)
        Letter.update(delivery_status=status).where(Letter.id == letter.id).execute()
        audit.record(row.case, actor, "letter_send_failed", kind=letter.kind, version=letter.version_no,
                     sent_via=carrier, status=status, problem=str(problem)[:300])


def _outgoing(letter: ProducedLetter, to: Recipient, settings: Settings) -> Outgoing:
    policy = context.policy()
    partnership = policy.partnership
    label = BY_KEY[letter.kind].label if letter.kind in BY_KEY else letter.kind
    if to.to_agency:
        subject = f"Community Trigger {letter.reference}: {label}"
        greeting = "Dear colleague,"
    else:
        subject = f"Your Community Trigger request {letter.reference}: {label.lower()}"
        greeting = f"Dear {to.name},"
    body = (f"{greeting}\n\nPlease find attached our letter about the Community Trigger request "
            f"{letter.reference} (ASB Case Review).\n\nIf you cannot open it, or would like it in another format, "
            f"reply to this e-mail or call us on {partnership.phone}.\n\n{partnership.name}\n")
    return Outgoing(send_key(letter), to, settings.smtp_sender or "", settings.smtp_reply_to or partnership.email,
                    subject, body, Path(letter.pdf_path or ""), f"{Path(letter.path).stem}.pdf")


# --- SMTP -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class SmtpCarrier:
    """The partnership's own mail server: implicit TLS (smtps://), else STARTTLS, plain only to this machine."""

    host: str
    port: int
    implicit_tls: bool
    user: str | None
    password: str | None = field(default=None, repr=False)  # never in a repr, so never in a log line
    name: str = "smtp"

    def deliver(self, message: Outgoing) -> str:
        try:
            email = _email(message)
        except (OSError, ValueError) as exc:  # the PDF went missing; an address no e-mail can carry
            raise SendFailed(f"The letter could not be put into an e-mail: {_said(exc)}. Nothing was sent.") from None
        try:
            server = self._connect()
        except (OSError, smtplib.SMTPException) as exc:
            raise SendFailed(f"The mail server {self.host}:{self.port} could not be reached or refused us: "
                             f"{_said(exc)}. Nothing was sent.") from None
        try:
            try:
                server.send_message(email)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError,
                    smtplib.SMTPNotSupportedError) as exc:
                raise SendFailed(f"The mail server refused the letter: {_said(exc)}. Nothing was sent.") from None
            except (OSError, smtplib.SMTPException) as exc:
                raise SendUncertain(f"The connection to the mail server broke while the letter was going "
                                    f"({_said(exc)}); it may have been sent.") from None
        finally:
            try:
                server.quit()
            except (OSError, smtplib.SMTPException):
                server.close()
        return email["Message-ID"]

    def _connect(self) -> smtplib.SMTP:
        tls = ssl.create_default_context()
        if self.implicit_tls:
            server: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS, context=tls)
        else:
            server = smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS)
        try:
            server.ehlo()
            if not self.implicit_tls and server.has_extn("starttls"):
                server.starttls(context=tls)
                server.ehlo()
            elif not self.implicit_tls and not _loopback(self.host):
                raise smtplib.SMTPNotSupportedError(
                    "it offers no STARTTLS, and letters are not sent unencrypted: use smtps:// or a server that does")
            if self.user:
                server.login(self.user, self.password or "")
        except BaseException:
            server.close()
            raise
        return server


def carrier_for(settings: Settings) -> Carrier:
    """The carrier the settings configure, or SendRefused saying what to set."""
    if not settings.smtp_url:
        raise SendRefused("No mail server is configured: set smtp_url (e.g. smtp://user@mail.example.org:587) "
                          "and smtp_sender in the settings file, or CASEWORKER_SMTP_URL and CASEWORKER_SMTP_SENDER.")
    if not settings.smtp_sender:
        raise SendRefused("No sender is configured for e-mail: set smtp_sender (or CASEWORKER_SMTP_SENDER), "
                          'e.g. "Community Trigger <asb.review@example.org>".')
    parts = urlsplit(settings.smtp_url)
    user = unquote(parts.username) if parts.username else None
    if user and not settings.smtp_password:
        raise SendRefused(f"The mail server account {user} needs its password: set CASEWORKER_SMTP_PASSWORD "
                          "(or smtp_password in the settings file).")
    implicit = parts.scheme == "smtps"
    return SmtpCarrier(parts.hostname or "", parts.port or (465 if implicit else 587), implicit, user,
                       settings.smtp_password)


def _email(message: Outgoing) -> EmailMessage:
    email = EmailMessage()
    email["From"] = message.sender
    email["To"] = Address(" ".join(message.to.name.split()), addr_spec=message.to.email or "")
    email["Reply-To"] = message.reply_to
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=True)
    domain = parseaddr(message.sender)[1].rpartition("@")[2] or "caseworker.invalid"
    email["Message-ID"] = f"<{message.key}@{domain}>"  # the same on every try of this version
    email.set_content(message.body)
    email.add_attachment(message.pdf.read_bytes(), maintype="application", subtype="pdf", filename=message.filename)
    return email


def _said(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {text}".rstrip(".")
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{code} {text.decode('utf-8', 'replace')}" for code, text in exc.recipients.values())
    return (str(exc) or type(exc).__name__).rstrip(".")


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


# --- the print pack -------------------------------------------------------------------------

def _by_post(letter: ProducedLetter, actor: Actor, settings: Settings) -> SendResult:
    with transaction():
        _claim(letter, sent_via="print_pack", status="printed", sent_to=None)
        record_handover(letter.id, channel="post", carrier="print_pack", status="printed")
        sent = record_sent(letter.id, actor, clock.today(), "post", sent_via="print_pack")
    return SendResult(sent, recipient_of(letter.id), print_pack(settings))


def latest_letter(case_id: int, kind: str, agency: str | None = None) -> ProducedLetter | None:
    """The case's latest version of `kind` (to `agency`, for an agency letter), if one was produced.
    An agency letter to several agencies needs the agency named."""
    with reading():
        query = Letter.select().where((Letter.case == case_id) & (Letter.kind == kind))
        if agency is not None:
            query = query.where(Letter.agency == agency)
        rows = list(query.order_by(Letter.version_no.desc()))
    if agency is None and len(named := list(dict.fromkeys(r.agency for r in rows if r.agency))) > 1:
        raise InvalidInput(f"agency: choose the agency whose letter to send: {', '.join(named)}", "agency")
    return get_letter(rows[0].id) if rows else None
