"""GOV.UK Notify: a letter printed and posted from its PDF, or an e-mail carrying the PDF as a file link.

Through Notify's own client (`notifications-python-client`). The API key is read from the settings
(the environment or the config file) and lives only in the client object; it is never in a repr,
an error message or the database. Each send carries the letter version's key as Notify's
`reference`, so a send whose answer was lost is looked up by it rather than sent again.

Notify's keys do not say whether they are test, team or live keys; the settings' `notify_key_kind`
does, and every screen that confirms or shows a Notify send names it (`key_words`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from caseworker_tui.errors import CaseworkerError
from caseworker_tui.services.letters.sending import Outgoing, SendFailed, SendRefused, SendUncertain

if TYPE_CHECKING:
    from caseworker_tui.config import Settings

NOTIFY_URL = "https://api.notifications.service.gov.uk"
TIMEOUT_SECONDS = 30
FILE_LIMIT = 2 * 1024 * 1024  # what Notify takes as a file sent by e-mail
KEY_WORDS = {
    "test": "Notify TEST key: nothing really goes",
    "team": "Notify TEAM key: to the team only",
    "live": "Notify LIVE key: it really goes",
}


class NotifyUnreachable(CaseworkerError):
    """Notify did not answer a status question, or refused it; nothing was changed."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code  # Notify's HTTP status, when it answered at all


def key_words(kind: str | None) -> str:
    """What the configured key does, in the words the confirmation and the Letters tab show."""
    return KEY_WORDS.get(kind or "", "Notify key of an unknown kind")


def notify_configured(settings: Settings) -> bool:
    return bool(settings.notify_api_key)


def client_for(settings: Settings):
    """Notify's client for the configured key, or SendRefused saying what to set."""
    from notifications_python_client.notifications import NotificationsAPIClient

    if not settings.notify_api_key:
        raise SendRefused("GOV.UK Notify is not configured: set CASEWORKER_NOTIFY_API_KEY (or notify_api_key in the "
                          "settings file) and notify_key_kind (test, team or live).")
    if not settings.notify_key_kind:
        raise SendRefused("Say which kind of GOV.UK Notify key is configured: set notify_key_kind to test, team or live "
                          "(or CASEWORKER_NOTIFY_KEY_KIND), as Notify's API integration page lists it.")
    return NotificationsAPIClient(settings.notify_api_key, base_url=settings.notify_base_url or NOTIFY_URL,
                                  timeout=TIMEOUT_SECONDS)


@dataclass
class NotifyCarrier:
    """One of Notify's two ways: `letter` (the precompiled PDF, printed and posted) or `email`."""

    way: str  # letter | email
    client: Any = field(repr=False)
    key_kind: str
    postage: str = "second"
    email_template: str | None = None
    name: str = "notify"

    def deliver(self, message: Outgoing) -> str:
        try:
            pdf = message.pdf.read_bytes()
        except OSError as exc:
            raise SendFailed(f"The letter's PDF could not be read ({exc.strerror}). Nothing was sent.") from None
        try:
            return self._post(message, pdf)
        except SendUncertain as exc:
            answered, found = self._already_sent(message.key)
            if found:
                return found
            if answered:  # Notify answers now and holds nothing under the key: the letter did not go
                raise SendFailed(f"{exc} Notify holds no letter under its reference, so nothing was sent; "
                                 "try again.") from None
            raise

    def _post(self, message: Outgoing, pdf: bytes) -> str:
        import io

        from notifications_python_client import prepare_upload

        try:
            if self.way == "letter":
                answer = self.client.send_precompiled_letter_notification(reference=message.key, pdf_file=io.BytesIO(pdf),
                                                                          postage=self.postage)
            else:
                if len(pdf) > FILE_LIMIT:
                    raise SendFailed("The letter's PDF is larger than the 2 MB Notify sends by e-mail; send it by post.")
                link = prepare_upload(io.BytesIO(pdf), filename=message.filename, confirm_email_before_download=True)
                answer = self.client.send_email_notification(
                    email_address=message.to.email, template_id=self.email_template, reference=message.key,
                    personalisation={"name": message.to.name, "subject": message.subject, "body": message.body,
                                     "link_to_file": link})
        except Exception as exc:  # noqa: BLE001 - the client's errors, sorted into ours below
            raise _sorted(exc) from None
        return str(answer["id"])

    def _already_sent(self, key: str) -> tuple[bool, str | None]:
        """Whether Notify answered the question, and the notification it holds under this key, if the
        lost answer was a success."""
        try:
            found = self.client.get_all_notifications(reference=key).get("notifications", [])
        except Exception:  # noqa: BLE001 - still no answer: the send stays uncertain
            return False, None
        live = [n for n in found if n.get("status") not in FAILED_AT_ONCE]
        return True, (str(live[0]["id"]) if live else None)

    def status(self, provider_id: str) -> str:
        """Notify's status for a notification, or NotifyUnreachable."""
        try:
            return str(self.client.get_notification_by_id(provider_id)["status"])
        except Exception as exc:  # noqa: BLE001 - the client's errors, and the network's
            code = getattr(exc, "status_code", None) if getattr(exc, "response", None) is not None else None
            raise NotifyUnreachable(f"GOV.UK Notify did not give the status: {said(exc)}", code) from None


FAILED_AT_ONCE = ("technical-failure", "validation-failed", "virus-scan-failed")


def carrier(settings: Settings, way: str, postage: str) -> NotifyCarrier:
    if way == "email" and not settings.notify_email_template:
        raise SendRefused("Set notify_email_template to the id of the Notify e-mail template that carries the letter "
                          "(it needs a ((link_to_file)) placeholder, and may use ((name)), ((subject)) and ((body))).")
    return NotifyCarrier(way, client_for(settings), settings.notify_key_kind or "", postage,
                         settings.notify_email_template)


def said(exc: BaseException) -> str:
    """Notify's own words for a refusal: its errors' messages, joined; never the request or its token."""
    from notifications_python_client.errors import APIError

    if isinstance(exc, APIError):
        message = exc.message
        if isinstance(message, list):
            message = "; ".join(str(m.get("message", m)) if isinstance(m, dict) else str(m) for m in message)
        return f"{exc.status_code} {message}".rstrip(".")
    return (str(exc) or type(exc).__name__).rstrip(".")


def _sorted(exc: BaseException) -> CaseworkerError:
    """A refusal Notify gave is SendFailed (it did not take the letter); no answer at all is uncertain."""
    from notifications_python_client.errors import APIError

    if isinstance(exc, SendFailed):
        return exc
    if isinstance(exc, APIError) and exc.response is not None:
        code = exc.status_code
        if code == 403:
            return SendFailed(f"GOV.UK Notify refused the API key ({said(exc)}). Check notify_api_key and the "
                              "machine's clock. Nothing was sent.")
        if code == 429:
            return SendFailed(f"GOV.UK Notify is limiting how often we send ({said(exc)}). Nothing was sent; "
                              "try again in a minute.")
        if 400 <= code < 500:
            return SendFailed(f"GOV.UK Notify did not accept the letter: {said(exc)}. Nothing was sent.")
    return SendUncertain(f"GOV.UK Notify did not answer ({said(exc)}); the letter may have been sent.")
