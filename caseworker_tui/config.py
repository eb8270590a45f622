"""Settings: a TOML file plus CASEWORKER_* environment variables (the environment wins).

The file is `$CASEWORKER_CONFIG`, else `config.toml` in the user's config directory. It holds
where the database is, which policy is in force, where letters go, the mail server that sends them,
the theme a session starts with, key remaps, when an idle desk signs out, and what `serve` accepts.
The app only reads it: a person's own choices (their theme) are kept with their account.
"""

from __future__ import annotations

import json
import os
import stat
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from platformdirs import user_config_dir, user_data_dir

from caseworker_tui.errors import ConfigError

APP_NAME = "caseworker"


def data_dir() -> Path:
    """The app's own folder: the SQLite database, its backups, subject-access files, exports.

    What it holds is personal data, so it is created for its owner alone (0700), and a folder an
    earlier release left open to others is closed again."""
    folder = Path(os.environ.get("CASEWORKER_DATA_DIR") or user_data_dir(APP_NAME, appauthor=False))
    _make_private(folder)
    return folder


def _make_private(folder: Path) -> None:
    """Create `folder` 0700, or take the group's and others' access from one its owner runs the app.

    A shared scratch folder (sticky, as /tmp is) named as the data folder is left as it is, and a
    folder that cannot be made is reported by whatever first writes there, not here."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        found = folder.stat()
        if (found.st_mode & 0o077 and not found.st_mode & stat.S_ISVTX
                and found.st_uid == getattr(os, "getuid", lambda: found.st_uid)()):
            folder.chmod(0o700)
    except OSError:
        pass


def config_path() -> Path:
    explicit = os.environ.get("CASEWORKER_CONFIG")
    return Path(explicit) if explicit else Path(user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def demo_database_url() -> str:
    return f"sqlite:///{data_dir() / 'demo.sqlite'}"


@dataclass
class Settings:
    """The settings, checked by `load_settings`.

    A plain dataclass, read by a few lines below rather than by pydantic-settings: importing that
    (and pydantic with it) was a fifth of the app's start-up, before its first screen, which needs
    none of it."""

    database_url: str = field(default_factory=lambda: f"sqlite:///{data_dir() / 'caseworker.sqlite'}")
    policy_file: Path | None = None
    letters_dir: Path | None = None  # templates that override the shipped ones, by file name
    output_dir: Path = field(default_factory=lambda: data_dir() / "letters")
    theme: str = "textual-dark"  # until a person signs in and their own choice applies
    keymap: dict[str, str] = field(default_factory=dict)  # binding id -> keys, e.g. {"new_request": "f2"}
    # The partnership's mail server, for letters sent by e-mail: smtp://user@host:587 (STARTTLS) or
    # smtps://user@host:465. The password is never in the URL: CASEWORKER_SMTP_PASSWORD or smtp_password.
    smtp_url: str | None = None
    smtp_sender: str | None = None  # From, e.g. "Safer Leicester Partnership <asb.review@leicester.gov.uk>"
    smtp_reply_to: str | None = None  # Reply-To; without it, the policy's partnership e-mail
    smtp_password: str | None = field(default=None, repr=False)  # kept out of repr, so out of any log line
    # Minutes without a key or a click after which a signed-in desk signs out (shared desks); 0: never.
    idle_minutes: int = 15
    # `caseworker serve`: the address people reach it by (its scheme, host and port are the only Origin
    # and Host it accepts; default: the address it binds), and how many sessions it runs at once.
    public_url: str | None = None
    max_sessions: int = 20
    max_sessions_per_address: int = 4
    # GOV.UK Notify, for letters it prints and posts and e-mails with the letter as a file link. The key
    # (keyname-serviceid-secret) comes from CASEWORKER_NOTIFY_API_KEY or this file, never the database.
    # Notify's keys do not say what they are, so the settings do: test (nothing goes out), team (only
    # to the service's team) or live; the send confirmation and the Letters tab name it.
    notify_api_key: str | None = field(default=None, repr=False)
    notify_key_kind: str | None = None
    notify_email_template: str | None = None  # the e-mail template's id, with a ((link_to_file)) placeholder
    notify_base_url: str | None = None  # another Notify API (a staging one); Notify's own when unset
    # How often, in minutes, the running app asks Notify what became of the letters sent through it; 0: never.
    notify_poll_minutes: int = 5


# What each setting holds, in the words an error message uses.
_TEXT, _PATH, _TABLE = "text", "a file or folder path", "a table of binding id = keys"
_COUNT = "a whole number, 0 or more"
_POLL = "a whole number of minutes between GOV.UK Notify status checks, 0 (never) or more, e.g. 5"
_SMTP_URL = "an smtp:// or smtps:// URL, e.g. smtp://user@mail.example.org:587, with no password in it"
_ADDRESS = 'an e-mail address, e.g. "Community Trigger <asb@example.org>"'
_NOTIFY_KEY = "a GOV.UK Notify API key: its name, then the service id and the secret, each a UUID, joined by -"
_KEY_KIND = "test, team or live: the kind of key notify_api_key is, as Notify's API integration page lists it"
_UUID = "a template id from GOV.UK Notify (a UUID)"
_HTTP_URL = "an https:// URL (http:// only to this machine)"
_UUID_TEXT = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_KINDS = {"database_url": _TEXT, "policy_file": _PATH, "letters_dir": _PATH, "output_dir": _PATH,
          "theme": _TEXT, "keymap": _TABLE, "smtp_url": _SMTP_URL, "smtp_sender": _ADDRESS,
          "smtp_reply_to": _ADDRESS, "smtp_password": _TEXT, "idle_minutes": _COUNT, "public_url": _TEXT,
          "max_sessions": _COUNT, "max_sessions_per_address": _COUNT, "notify_api_key": _NOTIFY_KEY,
          "notify_key_kind": _KEY_KIND, "notify_email_template": _UUID, "notify_base_url": _HTTP_URL,
          "notify_poll_minutes": _POLL}
assert set(_KINDS) == {f.name for f in fields(Settings)}
_MAY_HOLD_A_PASSWORD = frozenset({"smtp_url", "smtp_password", "notify_api_key"})
KEY_KINDS = ("test", "team", "live")


def load_settings(**overrides: Any) -> Settings:
    """The settings in force: the file, then CASEWORKER_* variables (which win), then `overrides`.
    A bad file, key or value is a ConfigError naming the key and where it came from."""
    path = config_path()
    values = {key: (value, str(path)) for key, value in _read_file(path).items()}
    for key in _KINDS:
        text = os.environ.get(f"CASEWORKER_{key.upper()}")
        if text:
            values[key] = (_from_environment(key, text), f"CASEWORKER_{key.upper()}")
    values.update({key: (value, "the command") for key, value in overrides.items() if value is not None})
    return Settings(**{key: _checked(key, value, source) for key, (value, source) in values.items()})


def _read_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read the settings file {path}: {exc.strerror}") from None


def _from_environment(key: str, text: str) -> Any:
    if _KINDS[key] in (_COUNT, _POLL):
        return int(text) if text.strip().isdigit() else text
    if _KINDS[key] != _TABLE:
        return text
    try:
        return json.loads(text)
    except ValueError:
        raise ConfigError(f'settings: {key}: CASEWORKER_{key.upper()} must be JSON, e.g. {{"new_request": "f2"}}') from None


def _checked(key: str, value: Any, source: str) -> Any:
    kind = _KINDS.get(key)
    if kind is None:
        raise ConfigError(f"settings: {key} is not a setting (in {source}); the settings are {', '.join(_KINDS)}")
    if kind == _TABLE and isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        return {str(k): v for k, v in value.items()}
    if kind == _PATH and isinstance(value, str | Path) and str(value):
        return Path(value)
    if kind == _TEXT and isinstance(value, str):
        return value
    if kind in (_COUNT, _POLL) and isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if kind == _SMTP_URL and isinstance(value, str) and _is_smtp_url(value):
        return value
    if kind == _ADDRESS and isinstance(value, str) and _is_address(value):
        return value
    if kind in _PATTERNS and isinstance(value, str) and _PATTERNS[kind](value.strip()):
        return value.strip()
    if key in _MAY_HOLD_A_PASSWORD:  # never echoed: the message may be shown or logged
        raise ConfigError(f"settings: {key} must be {kind} (in {source})")
    raise ConfigError(f"settings: {key} must be {kind}, not {value!r} (in {source})")


def _is_smtp_url(text: str) -> bool:
    """smtp:// or smtps://, a host, a port if any that is a number, and no password: a password in a URL
    ends up wherever the URL is shown."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(text)
        _ = parts.port
    except ValueError:
        return False
    return parts.scheme in ("smtp", "smtps") and bool(parts.hostname) and parts.password is None


def _is_notify_key(text: str) -> bool:
    import re

    return re.fullmatch(rf".+-{_UUID_TEXT}-{_UUID_TEXT}", text) is not None


def _is_uuid(text: str) -> bool:
    import re

    return re.fullmatch(_UUID_TEXT, text) is not None


def _is_http_url(text: str) -> bool:
    from urllib.parse import urlsplit

    parts = urlsplit(text)
    local = parts.hostname in ("127.0.0.1", "localhost", "::1")
    return bool(parts.hostname) and (parts.scheme == "https" or (parts.scheme == "http" and local))


_PATTERNS = {_NOTIFY_KEY: _is_notify_key, _KEY_KIND: lambda text: text in KEY_KINDS, _UUID: _is_uuid,
             _HTTP_URL: _is_http_url}


def _is_address(text: str) -> bool:
    from email.utils import parseaddr

    address = parseaddr(text)[1]
    return "@" in address and not address.startswith("@") and not address.endswith("@")
