"""The import format: one application as the online form (or the new-request screen) sends it.

Unknown fields are an error. Bad data is an error too, never a silent exclusion: a report
dated before its incident, any date after the request, an unknown agency, a missing name or
date, two incidents with one id. Each error names the incident and the field, so the person
fixing it knows where to look. A request that lists no incidents is valid: every request
received is recorded and counted, and its verdict says why it is not met.
"""

from __future__ import annotations

import contextlib
import json
import re
from datetime import date, datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from caseworker_tui.errors import InvalidInput
from caseworker_tui.services.names import name_key
from caseworker_tui.services.policy import Policy
from caseworker_tui.services.threshold_policy import ReportMethod

LOCAL_ZONE = ZoneInfo("Europe/London")
# Dates outside these years are typing mistakes, and would overflow the calendar arithmetic.
EARLIEST_YEAR, LATEST_YEAR = 1990, 2099
# A report's reporter may be written as this word: the report is then the victim's.
APPLICANT = "applicant"
ApplicantType = Literal["victim", "on_behalf", "business", "community_group"]
# How an application came in (the import format's `channel`), with the words the form and the
# figures show: declared once, here.
CHANNELS = {
    "online": "Online form",
    "phone": "Phone call",
    "paper": "Paper form",
    "in_person": "Visit in person",
    "email": "E-mail",
}
Channel = Literal[tuple(CHANNELS)]  # type: ignore[valid-type]

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Reference = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9/_.-]{0,39}$")
]


class _Form(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Applicant(_Form):
    # Absent, it is read from `on_behalf_of`: forms of the first release sent only that.
    type: ApplicantType = "victim"
    name: Name
    address: Text = ""
    postcode: Annotated[str, StringConstraints(strip_whitespace=True, max_length=10)] = ""
    email: Text | None = None
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] | None = None
    preferred_contact: Literal["email", "post", "phone"]
    on_behalf_of: Text | None = None
    vulnerabilities: Text | None = None
    needs: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]] = []
    advocate: Text | None = None
    consent_to_share: bool | None = None

    @model_validator(mode="before")
    @classmethod
    def _type_from_on_behalf_of(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("type") is None:
            named = data.get("on_behalf_of")
            applied_for = isinstance(named, str) and bool(named.strip())
            data = {**data, "type": "on_behalf" if applied_for else "victim"}
        return data

    @field_validator("on_behalf_of")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None

    @property
    def victim_name(self) -> str:
        """The person the application is about: the applicant, or the one applied for."""
        return self.on_behalf_of if self.type == "on_behalf" and self.on_behalf_of else self.name

    @field_validator("email")
    @classmethod
    def _email_shape(cls, value: str | None) -> str | None:
        if value and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            raise ValueError("is not an e-mail address")
        return value or None

    @property
    def large_print(self) -> bool:
        return any(need.casefold().replace("-", "_").replace(" ", "_") == "large_print" for need in self.needs)


class Report(_Form):
    agency: Name
    reported_on: date
    reporter: Name
    agency_reference: Text = ""
    method: ReportMethod | None = None
    officer: Text = ""
    as_hate: bool = False  # reported as a hate incident at the time


class Incident(_Form):
    id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    occurred_on: date
    description: Text = ""
    location: Text = ""
    hate_related: bool = False
    reports: list[Report] = Field(min_length=1)


class Application(_Form):
    reference: Reference | None = None
    received_at: datetime
    channel: Channel | None = None
    applicant: Applicant
    dissatisfied: bool
    dissatisfaction_reason: Text = ""
    incidents: list[Incident] = []

    @field_validator("received_at")
    @classmethod
    def _local_time(cls, value: datetime) -> datetime:
        if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            raise ValueError(f"must be a date between {EARLIEST_YEAR} and {LATEST_YEAR}")
        if value.tzinfo is not None:
            value = value.astimezone(LOCAL_ZONE).replace(tzinfo=None)
        return value.replace(microsecond=0)

    @property
    def received_on(self) -> date:
        return self.received_at.date()

    def is_victims(self, reporter: str) -> bool:
        """Whether a report by `reporter` is the victim's: `applicant`, or the victim's name."""
        return name_key(reporter) in (APPLICANT, name_key(self.applicant.victim_name))


def _where(loc: tuple[Any, ...], raw: Any) -> str:
    """A readable place for an error location, naming the incident by its id."""
    parts: list[str] = []
    i = 0
    while i < len(loc):
        part = loc[i]
        if part == "incidents" and i + 1 < len(loc) and isinstance(loc[i + 1], int):
            index = loc[i + 1]
            ident = None
            with contextlib.suppress(KeyError, IndexError, TypeError, AttributeError):
                ident = raw["incidents"][index].get("id")
            parts.append(f"incident {ident}" if isinstance(ident, str) and ident else f"incident #{index + 1}")
            i += 2
            continue
        if part == "reports" and i + 1 < len(loc) and isinstance(loc[i + 1], int):
            parts.append(f"report {loc[i + 1] + 1}")
            i += 2
            continue
        parts.append(str(part))
        i += 1
    return ", ".join(parts) if parts else "application"


_MESSAGES = {
    "missing": "is missing",
    "extra_forbidden": "is not a field of the import format",
    "string_too_short": "must not be empty",
    "date_from_datetime_parsing": "must be a date like 2026-10-01",
    "date_parsing": "must be a date like 2026-10-01",
    "date_type": "must be a date like 2026-10-01",
    "datetime_parsing": "must be a date and time like 2026-11-20T14:05:00",
    "datetime_from_date_parsing": "must be a date and time like 2026-11-20T14:05:00",
    "datetime_type": "must be a date and time like 2026-11-20T14:05:00",
    "bool_type": "must be true or false",
    "too_short": "needs at least one entry",
    "bool_parsing": "must be true or false",
    "int_type": "must be a whole number",
    "float_type": "must be a number",
    "string_type": "must be text",
    "list_type": "must be a list",
    "model_type": "must be an object",
    "dict_type": "must be an object",
}


def _first_error(error: ValidationError, raw: Any) -> InvalidInput:
    problem = error.errors(include_url=False)[0]
    loc = tuple(problem["loc"])
    message = _MESSAGES.get(problem["type"], problem["msg"])
    if problem["type"] == "literal_error":
        message = f"must be one of {problem['ctx']['expected']}"
    elif problem["type"] == "string_too_long":
        message = f"must be at most {problem['ctx']['max_length']} characters"
    elif problem["type"] == "string_pattern_mismatch" and loc[-1:] == ("reference",):
        message = "must be letters, digits, '/', '-', '_' or '.', at most 40 characters"
    elif message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
    field = ".".join(str(p) for p in loc)
    *place, name = loc if loc else ("application",)
    if isinstance(name, int):  # an item of a list: name the list
        *place, listed = place
        name = f"{listed}[{name + 1}]"
    return InvalidInput(f"{_where(tuple(place), raw)}: {name} {message}", field=field or None)


def load_json(raw: str | bytes) -> Any:
    """JSON text, or UTF-8 bytes (a byte order mark allowed), as Python data; bad text is InvalidInput."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"not UTF-8 text: byte {exc.object[exc.start]:#04x} at position {exc.start}") from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    except RecursionError:
        raise InvalidInput("not valid JSON: nested too deeply") from None
    except ValueError as exc:  # e.g. a number too long to read
        raise InvalidInput(f"not valid JSON: {exc}") from None
    _refuse_nul(data, "application")
    return data


def _refuse_nul(value: Any, where: str) -> None:
    """A NUL character is never meant, and PostgreSQL text cannot hold one."""
    if isinstance(value, str):
        if "\x00" in value:
            raise InvalidInput(f"{where}: contains a NUL character (\\u0000)", where)
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_nul(item, f"{where}.{key}" if where != "application" else str(key))
    elif isinstance(value, list):
        for n, item in enumerate(value):
            _refuse_nul(item, f"{where}.{n}")


def parse_application(raw: str | bytes | dict[str, Any], policy: Policy) -> Application:
    """Validate one application; raise InvalidInput naming the incident and field."""
    if isinstance(raw, str | bytes):
        data = load_json(raw)
    else:
        data = raw
        _refuse_nul(data, "application")
    if not isinstance(data, dict):
        raise InvalidInput("an application must be a JSON object")
    try:
        application = Application.model_validate_json(json.dumps(data, default=str))
    except ValidationError as exc:
        raise _first_error(exc, data) from None
    check_consistency(application, policy)
    return application


def check_consistency(application: Application, policy: Policy) -> None:
    """The rules that need more than one field: dates against the request, agencies against policy."""
    received = application.received_on
    applicant = application.applicant
    if applicant.preferred_contact == "email" and not applicant.email:
        raise InvalidInput("applicant: email is needed when preferred_contact is email", "applicant.email")
    if applicant.preferred_contact == "phone" and not applicant.phone:
        raise InvalidInput("applicant: phone is needed when preferred_contact is phone", "applicant.phone")
    if applicant.preferred_contact == "post" and not applicant.address:
        raise InvalidInput("applicant: address is needed when preferred_contact is post", "applicant.address")
    if applicant.type == "on_behalf" and not applicant.on_behalf_of:
        raise InvalidInput("applicant: on_behalf_of must name the victim when type is on_behalf",
                           "applicant.on_behalf_of")
    if applicant.type != "on_behalf" and applicant.on_behalf_of:
        raise InvalidInput(f"applicant: on_behalf_of names a victim, so type must be on_behalf "
                           f"(not {applicant.type})", "applicant.type")
    seen: dict[str, int] = {}
    for n, incident in enumerate(application.incidents):
        where = f"incident {incident.id}"
        if incident.id in seen:
            raise InvalidInput(f"{where}: id {incident.id!r} is used by another incident "
                               f"(incident {seen[incident.id] + 1} in the list); give each "
                               "incident its own id", f"incidents.{n}.id")
        seen[incident.id] = n
        if incident.occurred_on.year < EARLIEST_YEAR:
            raise InvalidInput(f"{where}: occurred_on {incident.occurred_on} is before {EARLIEST_YEAR}",
                               f"incidents.{n}.occurred_on")
        if incident.occurred_on > received:
            raise InvalidInput(
                f"{where}: occurred_on {incident.occurred_on} is after the request was received ({received})",
                f"incidents.{n}.occurred_on",
            )
        for m, report in enumerate(incident.reports):
            spot = f"{where}, report {m + 1}"
            if report.agency not in policy.agencies:
                raise InvalidInput(
                    f"{spot}: agency {report.agency!r} is not known (known: {', '.join(policy.agencies)})",
                    f"incidents.{n}.reports.{m}.agency",
                )
            if report.reported_on < incident.occurred_on:
                raise InvalidInput(
                    f"{spot}: reported_on {report.reported_on} is before the incident (occurred_on {incident.occurred_on})",
                    f"incidents.{n}.reports.{m}.reported_on",
                )
            if report.reported_on > received:
                raise InvalidInput(
                    f"{spot}: reported_on {report.reported_on} is after the request was received ({received})",
                    f"incidents.{n}.reports.{m}.reported_on",
                )


def parse_applications(raw: str | bytes, policy: Policy) -> list[Application]:
    """A file holds one application or a list of them; every one must be valid."""
    data = load_json(raw)
    items = data if isinstance(data, list) else [data]
    if not items:
        raise InvalidInput("the file holds an empty list: no application to import")
    parsed = []
    for n, item in enumerate(items):
        try:
            parsed.append(parse_application(item, policy))
        except InvalidInput as exc:
            if len(items) > 1:
                raise InvalidInput(f"application {n + 1}: {exc}", exc.field) from None
            raise
    return parsed
