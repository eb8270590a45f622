"""Letters: Word documents from templates council staff edit in Word, kept with the case.

Which letters a case may have depends on its stage; asking for another is refused with the
reason. A letter is rendered from its template (the shipped one, or one of the same name in the
`letters_dir` folder) with docxtpl under jinja2's StrictUndefined and autoescaping, so a typo in
a template is an error rather than a blank, and text users typed prints as typed. Each letter is
written under a new version number, never over an earlier one, and recorded with its checksum
in the same transaction as its audit event; if the record cannot be written, the file goes.
Marking a letter sent closes the deadline it answers.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import re
import tempfile
import typing
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from pathlib import Path

from peewee import fn
from pydantic import BaseModel

from caseworker_tui.errors import (
    ConfigError,
    InvalidInput,
    NotFound,
    TransitionNotAllowed,
)
from caseworker_tui.models import AgencyUpdateRequest, Applicant, Case, Deadline, Letter, Review
from caseworker_tui.services import audit, clock
from caseworker_tui.services.deadlines import close_steps, refresh_next_due
from caseworker_tui.services.letter_context import (
    CONTEXTS,
    LetterContext,
    latest_appeal,
    latest_decision,
    long_date,
)
from caseworker_tui.services.letter_context import build as build_context
from caseworker_tui.services.permissions import Actor, require
from caseworker_tui.services.stages import stage_label
from caseworker_tui.services.unit import reading, transaction

KINDS = tuple(CONTEXTS)
KIND_LABELS = {
    "acknowledgement": "Acknowledgement",
    "agency_update_request": "Request for an update (to an agency)",
    "threshold_met": "Threshold met",
    "threshold_not_met": "Threshold not met",
    "review_invitation": "Invitation to the review",
    "extension": "Extension of the review",
    "outcome": "Outcome, in the chair's name",
    "appeal_acknowledgement": "Appeal acknowledgement",
    "appeal_decision": "Appeal decision",
}
CHANNELS = ("post", "email", "hand")
# The deadline a letter answers: sending it closes that step.
CLOSES = {"threshold_met": "notify_decision", "threshold_not_met": "notify_decision",
          "extension": "notify_extension", "outcome": "review"}
LARGE_PRINT_PT = 16


class LetterTemplateError(ConfigError):
    """A template that cannot be used as it is; the message names the file and what to fix."""


@dataclass(frozen=True)
class ProducedLetter:
    id: int
    case_id: int
    reference: str
    kind: str
    version_no: int
    path: str
    checksum: str
    large_print: bool
    recipient: str
    created_by: str
    created_at: datetime
    sent_on: date | None
    channel: str | None


@dataclass(frozen=True)
class LetterOption:
    """One kind of letter as a letter pane lists it: offered, or not and why."""

    kind: str
    label: str
    offered: bool
    reason: str


@dataclass(frozen=True)
class TemplateCheck:
    name: str
    path: str
    problems: list[str]


# --- which letters fit the case -----------------------------------------------------------------

def _waiting_agencies(case: Case) -> list[str]:
    """Agencies whose update is still being chased: unanswered, its deadline neither met nor cancelled."""
    chased = Deadline.select(Deadline.ref_id).where(
        (Deadline.case == case) & (Deadline.step == "agency_update") & Deadline.closed_at.is_null())
    rows = (AgencyUpdateRequest.select(AgencyUpdateRequest.agency)
            .where((AgencyUpdateRequest.case == case) & AgencyUpdateRequest.answered_on.is_null()
                   & AgencyUpdateRequest.id.in_(chased))
            .order_by(AgencyUpdateRequest.id))
    return list(dict.fromkeys(r.agency for r in rows))


def _refusal(kind: str, case: Case) -> str | None:
    """Why `kind` does not fit the case now, or None when it does."""
    ref, stage = case.reference, case.stage
    now = f"{ref} is {stage_label(stage).lower()}"
    if stage == "withdrawn":
        return f"{ref} was withdrawn; no further letters go out on it."
    review = Review.get_or_none(Review.case == case)
    if kind == "acknowledgement":
        if stage not in ("received", "acknowledged"):
            return f"The acknowledgement goes out while a request is received or acknowledged; {now}."
    elif kind == "agency_update_request":
        if not _waiting_agencies(case):
            return f"No agency has an update request on {ref} that is still waiting for an answer."
    elif kind in ("threshold_met", "threshold_not_met"):
        wanted = "accepted" if kind == "threshold_met" else "declined"
        decision = latest_decision(case)
        if decision is None or decision.decision != wanted or stage in ("received", "acknowledged"):
            return f"The {KIND_LABELS[kind].lower()} letter needs the request to be {wanted}; {now}."
    elif kind == "review_invitation":
        if review is None or review.meeting_on is None:
            return f"The invitation needs a review meeting to be scheduled; {now}."
        if stage != "under_review":
            return f"The invitation goes out while the review is under way; {now}."
        if review.meeting_on < clock.today():
            return f"The review meeting on {long_date(review.meeting_on)} has already taken place."
    elif kind == "extension":
        if review is None or review.extended_to is None:
            return f"The extension letter needs the review to have been extended; {ref}'s has not been."
        owed = Deadline.select().where((Deadline.case == case) & (Deadline.step == "notify_extension")
                                       & Deadline.closed_at.is_null()).exists()
        if not owed and stage not in ("accepted", "under_review", "outcome_drafted", "awaiting_chair"):
            return f"The extension letter goes out while the review is under way; {now}."
    elif kind == "outcome":
        if stage not in ("approved", "closed") or review is None or not review.approved_by_name:
            return f"The outcome letter goes out only once the chair has approved the outcome; {now}."
    elif kind == "appeal_acknowledgement":
        if latest_appeal(case) is None:
            return f"{ref} has no appeal to acknowledge."
    elif kind == "appeal_decision":
        appeal = latest_appeal(case)
        if appeal is None or appeal.decided_on is None:
            return f"{ref} has no decided appeal."
    return None


def _case(case_id: int) -> Case:
    case = Case.get_or_none(Case.id == case_id)
    if case is None:
        raise NotFound(f"no case with id {case_id}")
    return case


def _kind(kind: str) -> str:
    if kind not in CONTEXTS:
        raise InvalidInput(f"kind: must be one of {', '.join(KINDS)}, not {kind!r}", "kind")
    return kind


def letter_options(case_id: int) -> list[LetterOption]:
    """Every kind of letter, in lifecycle order, with whether it fits the case now and why not."""
    with reading():
        case = _case(case_id)
        refusals = {kind: _refusal(kind, case) for kind in KINDS}
    return [LetterOption(kind, KIND_LABELS[kind], refusals[kind] is None, refusals[kind] or "")
            for kind in KINDS]


def offered_letters(case_id: int) -> list[str]:
    """The kinds of letter the case's stage calls for now."""
    return [option.kind for option in letter_options(case_id) if option.offered]


def update_request_agencies(case_id: int) -> list[str]:
    """The agencies an update-request letter can go to: asked, and not yet answered."""
    with reading():
        return _waiting_agencies(_case(case_id))


def _pick_agency(case: Case, agency: str | None) -> str:
    waiting = _waiting_agencies(case)
    if agency is None and len(waiting) == 1:
        return waiting[0]
    if agency is None:
        raise InvalidInput(f"agency: choose the agency the letter goes to: {', '.join(waiting)}", "agency")
    if agency not in waiting:
        raise InvalidInput(f"agency: {agency!r} has no update request waiting on {case.reference}; "
                           f"waiting: {', '.join(waiting)}", "agency")
    return agency


def _large_print(case: Case) -> bool:
    person = Applicant.get(Applicant.case == case)
    needs = json.loads(person.needs_json or "[]")
    return any(str(n).casefold().replace("-", "_").replace(" ", "_") == "large_print" for n in needs)


# --- templates ------------------------------------------------------------------------------------

def template_path(kind: str, letters_dir: Path | None = None) -> Path:
    """The template in force for `kind`: the one in `letters_dir` by that name, else the shipped one."""
    name = f"{_kind(kind)}.docx"
    if letters_dir is not None:
        folder = Path(letters_dir).expanduser()
        if not folder.is_dir():
            raise ConfigError(f"letters_dir: {folder} is not a folder")
        if (folder / name).is_file():
            return folder / name
    return Path(str(resources.files("caseworker_tui.letters").joinpath(name)))


@functools.cache
def _environment():
    """Jinja for council-edited templates: strict about names, escaping data, sandboxed."""
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    class LetterEnvironment(SandboxedEnvironment):
        """Compiles each template source once: docxtpl hands the same source over for every letter."""

        def __init__(self, **options) -> None:
            super().__init__(**options)
            self.compiled: dict = {}

        def from_string(self, source, globals=None, template_class=None):
            if globals is not None or template_class is not None:
                return super().from_string(source, globals, template_class)
            if source not in self.compiled:
                if len(self.compiled) > 200:
                    self.compiled.clear()
                self.compiled[source] = super().from_string(source)
            return self.compiled[source]

    return LetterEnvironment(undefined=StrictUndefined, autoescape=True)


def _template_source(tpl) -> str:
    """The jinja source docxtpl renders (body, headers, footers), one Word paragraph per line."""
    tpl.get_docx()
    parts = [tpl.get_xml()]
    for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
        parts += [tpl.get_part_xml(part) for _, part in tpl.get_headers_footers(uri)]
    return "\n".join(re.sub(r"<w:p([ >])", r"\n<w:p\1", tpl.patch_xml(xml)) for xml in parts)


def _near(source: str, line: int | None) -> str:
    text = re.sub(r"<[^>]+>", "", source.splitlines()[line - 1]) if line else ""
    return f" near “{text.strip()[:80]}”" if text.strip() else ""


def _as_model(annotation) -> type[BaseModel] | None:
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def _item_model(annotation) -> type[BaseModel] | None:
    args = typing.get_args(annotation) if typing.get_origin(annotation) is list else ()
    return _as_model(args[0]) if args else None


def _attribute_problems(tree, model: type[BaseModel], name: str) -> list[str]:
    """`{{ a.b }}` where a's model has no field b, following `{% for x in items %}` into items."""
    from jinja2 import nodes

    problems: list[str] = []

    def annotation(node, scope):
        if isinstance(node, nodes.Name):
            return scope.get(node.name)
        if isinstance(node, nodes.Getattr) and (owner := _as_model(annotation(node.node, scope))):
            field = owner.model_fields.get(node.attr)
            return field.annotation if field else None
        return None

    def dotted(node) -> str:
        if isinstance(node, nodes.Getattr):
            return f"{dotted(node.node)}.{node.attr}"
        return getattr(node, "name", "…")

    def visit(node, scope) -> None:
        if isinstance(node, nodes.For):
            visit(node.iter, scope)
            inner = dict(scope)
            if isinstance(node.target, nodes.Name):
                inner[node.target.name] = _item_model(annotation(node.iter, scope))
            for child in [*node.body, *([node.test] if node.test else [])]:
                visit(child, inner)
            for child in node.else_:
                visit(child, scope)
            return
        if isinstance(node, nodes.Getattr):
            owner = _as_model(annotation(node.node, scope))
            if owner is not None and node.attr not in owner.model_fields:
                problems.append(f"{name}: unknown variable {{{{ {dotted(node)} }}}}; "
                                f"{dotted(node.node)} has {', '.join(owner.model_fields)}")
        for child in node.iter_child_nodes():
            visit(child, scope)

    visit(tree, {field: info.annotation for field, info in model.model_fields.items()})
    return list(dict.fromkeys(problems))


def template_problems(kind: str, path: Path) -> list[str]:
    """What is wrong with a template for `kind`: syntax, and names its context does not provide."""
    from docxtpl import DocxTemplate
    from jinja2 import TemplateSyntaxError

    model, env, name = CONTEXTS[_kind(kind)], _environment(), Path(path).name
    try:
        tpl = DocxTemplate(str(path))
        source = _template_source(tpl)
    except Exception as exc:  # noqa: BLE001 - any unreadable file gets the same plain answer
        return [f"{name}: not a Word document that can be read ({type(exc).__name__})"]
    try:
        tree = env.parse(source)
        names = tpl.get_undeclared_template_variables(jinja_env=env)
    except TemplateSyntaxError as exc:
        return [f"{name}: template error{_near(source, exc.lineno)}: {exc.message}"]
    fields = model.model_fields
    problems = [f"{name}: unknown variable {{{{ {var} }}}}; the {kind} letter has {', '.join(fields)}"
                for var in sorted(names - set(fields))]
    return problems + _attribute_problems(tree, model, name)


_checked: dict[tuple, list[str]] = {}


def _require_sound(kind: str, path: Path) -> None:
    stat = path.stat()
    key = (kind, str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _checked:
        _checked[key] = template_problems(kind, path)
    if _checked[key]:
        raise LetterTemplateError("; ".join(_checked[key]))


def check_templates(letters_dir: Path | None = None) -> list[TemplateCheck]:
    """Every template in force, checked against its context; stray files in letters_dir too."""
    checks = []
    for kind in KINDS:
        path = template_path(kind, letters_dir)
        checks.append(TemplateCheck(path.name, str(path), template_problems(kind, path)))
    if letters_dir is not None:
        for path in sorted(Path(letters_dir).expanduser().glob("*.docx")):
            if path.stem not in CONTEXTS and not path.name.startswith("~$"):
                checks.append(TemplateCheck(path.name, str(path), [
                    f"{path.name}: replaces no letter; name it after one of {', '.join(KINDS)}"]))
    return checks


def _enlarge(document) -> None:
    """Large print: every run at least LARGE_PRINT_PT, larger text kept as it is."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml.ns import qn
    from docx.shared import Pt
    from docx.text.run import Run

    minimum = Pt(LARGE_PRINT_PT)
    styles = {style.style_id: style for style in document.styles}

    def style_size(style_id: str | None, fallback):
        style = styles.get(style_id) if style_id else fallback
        while style is not None:
            if style.font.size:
                return style.font.size
            style = style.base_style
        return None

    half_points = document.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr/w:sz/@w:val")
    default = Pt(int(half_points[0]) / 2) if half_points else Pt(10)
    normal = document.styles.default(WD_STYLE_TYPE.PARAGRAPH)
    parts = [p for p in document.part.package.iter_parts()
             if p.content_type.endswith(("document.main+xml", "header+xml", "footer+xml"))]
    for part in parts:
        for paragraph in part.element.iter(qn("w:p")):
            p_style = paragraph.pPr.style if paragraph.pPr is not None else None
            base = style_size(p_style, normal) or default
            for r in paragraph.iter(qn("w:r")):
                run = Run(r, None)
                r_style = r.rPr.style if r.rPr is not None else None
                size = run.font.size or (style_size(r_style, None) if r_style else None) or base
                run.font.size = max(size, minimum)


def render(kind: str, letter: LetterContext, template: Path, *, large_print: bool = False) -> bytes:
    """The letter as .docx bytes; a template naming what its context lacks is refused first."""
    from docxtpl import DocxTemplate
    from jinja2 import TemplateError

    _require_sound(kind, template)
    tpl = DocxTemplate(str(template))
    values = {name: getattr(letter, name) for name in type(letter).model_fields}
    try:
        tpl.render(values, jinja_env=_environment(), autoescape=True)
    except TemplateError as exc:
        raise LetterTemplateError(f"{template.name}: {exc}") from None
    if large_print:
        _enlarge(tpl.docx)
    buffer = io.BytesIO()
    tpl.save(buffer)
    return buffer.getvalue()


# --- producing, sending, reading --------------------------------------------------------------

def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip(".-") or "letter"


def _claim(out_dir: Path, stem: str, version: int) -> tuple[int, Path]:
    """The first free `stem_vN.docx` from `version` on, created empty so nobody else takes it."""
    while True:
        path = out_dir / f"{stem}_v{version}.docx"
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            return version, path
        except FileExistsError:
            version += 1


def _info(row: Letter, reference: str) -> ProducedLetter:
    return ProducedLetter(row.id, row.case_id, reference, row.kind, row.version_no, row.path, row.checksum,
                          row.large_print, row.recipient, row.created_by, row.created_at, row.sent_on,
                          row.channel)


def produce(case_id: int, kind: str, actor: Actor, out_dir: Path, letters_dir: Path | None = None,
            agency: str | None = None) -> ProducedLetter:
    """Render the letter, write it as a new version in `out_dir` and record it with the case."""
    require(actor, "produce_letter")
    template = template_path(kind, letters_dir)
    with reading():
        case = _case(case_id)
        refusal = _refusal(kind, case)
        if refusal:
            raise TransitionNotAllowed(refusal)
        agency = _pick_agency(case, agency) if kind == "agency_update_request" else None
        letter = build_context(kind, case, agency=agency, producer=actor.username)
        large = agency is None and _large_print(case)
        reference = case.reference
    data = render(kind, letter, template, large_print=large)
    out_dir = Path(out_dir).expanduser().resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = _safe_name(f"{reference}_{kind}" + (f"_{agency}" if agency else ""))
    with tempfile.NamedTemporaryFile(dir=out_dir, prefix=f".{stem}.", suffix=".part", delete=False) as tmp:
        tmp.write(data)
        tmp.flush()
        os.fsync(tmp.fileno())
    final: Path | None = None
    try:
        with transaction():
            case = _case(case_id)
            refusal = _refusal(kind, case)
            if refusal:
                raise TransitionNotAllowed(refusal)
            latest = Letter.select(fn.MAX(Letter.version_no)).where(
                (Letter.case == case) & (Letter.kind == kind)).scalar()
            version, final = _claim(out_dir, stem, (latest or 0) + 1)
            os.replace(tmp.name, final)
            row = Letter.create(case=case, kind=kind, version_no=version, path=str(final),
                                checksum=hashlib.sha256(data).hexdigest(), large_print=large,
                                recipient=letter.recipient.name[:200], created_by=actor.username,
                                created_at=clock.now())
            audit.record(case, actor, "letter_produced", kind=kind, version=version, path=str(final),
                         large_print=large, agency=agency)
        return _info(row, reference)
    except BaseException:
        if final is not None:
            final.unlink(missing_ok=True)
        raise
    finally:
        Path(tmp.name).unlink(missing_ok=True)


def mark_sent(letter_id: int, actor: Actor, on: date, channel: str) -> ProducedLetter:
    """Record that the letter went out; the deadline it answers is then met."""
    require(actor, "mark_letter_sent")
    if channel not in CHANNELS:
        raise InvalidInput(f"channel: must be one of {', '.join(CHANNELS)}", "channel")
    if on > clock.today():
        raise InvalidInput("sent on: cannot be in the future", "sent_on")
    with transaction():
        row = Letter.get_or_none(Letter.id == letter_id)
        if row is None:
            raise NotFound(f"no letter with id {letter_id}")
        case = row.case
        if row.sent_on is not None:
            raise TransitionNotAllowed(f"Version {row.version_no} of this {row.kind.replace('_', ' ')} letter "
                                       f"was already marked sent on {row.sent_on} by {row.channel}.")
        if on < row.created_at.date():
            raise InvalidInput(f"sent on: the letter was produced on {row.created_at.date()}", "sent_on")
        Letter.update(sent_on=on, channel=channel).where(Letter.id == letter_id).execute()
        step = CLOSES.get(row.kind)
        closed = close_steps(case, step, on=on) if step else 0
        if closed:
            refresh_next_due(case)
            Case.update(next_due_on=case.next_due_on, next_due_step=case.next_due_step, updated_at=clock.now(),
                        updated_by=actor.username, version=Case.version + 1).where(Case.id == case.id).execute()
        audit.record(case, actor, "letter_sent", kind=row.kind, version=row.version_no, channel=channel,
                     sent_on=on, closed_step=step if closed else None)
        return _info(Letter.get_by_id(letter_id), case.reference)


def list_letters(case_id: int) -> list[ProducedLetter]:
    """The case's letters, oldest first."""
    with reading():
        case = _case(case_id)
        rows = list(Letter.select().where(Letter.case == case).order_by(Letter.created_at, Letter.id))
    return [_info(row, case.reference) for row in rows]


def letter_text(letter_id: int) -> str:
    """The letter's words as plain text, paragraph by paragraph, tables as rows, for a preview."""
    with reading():
        row = Letter.get_or_none(Letter.id == letter_id)
    if row is None:
        raise NotFound(f"no letter with id {letter_id}")
    from docx import Document
    from docx.table import Table

    try:
        document = Document(row.path)
    except Exception:  # noqa: BLE001 - missing, moved or damaged: the same answer for a user
        raise NotFound(f"the letter file {row.path} is missing or cannot be read") from None
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for table_row in block.rows:
                seen, texts = set(), []
                for cell in table_row.cells:  # a merged cell appears once per grid column it spans
                    if cell._tc not in seen:
                        seen.add(cell._tc)
                        texts.append(cell.text)
                lines.append(" | ".join(texts))
        else:
            lines.append(block.text)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
