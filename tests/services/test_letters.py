"""Letters: each template rendered at its stage and read back with python-docx, on both databases."""

from __future__ import annotations

import ast
import hashlib
import json
import re
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from docx.shared import Pt
from docx.table import Table

from caseworker_tui.errors import (
    InvalidInput,
    PermissionDenied,
    TransitionNotAllowed,
)
from caseworker_tui.models import AuditEvent, Case, Deadline, Letter, db
from caseworker_tui.services import audit, context, intake, letters, workflow
from caseworker_tui.services.application import parse_application
from caseworker_tui.services.letters import LETTER_KINDS, LetterTemplateError
from caseworker_tui.services.workflow import RecommendationIn
from tests.conftest import TODAY
from tests.factories import application, incident, meets_rule_a, report, victim_heard

REPO = Path(__file__).resolve().parents[2]
TRICKY = "{{ 7*7 }} {% if x %}<b>bold</b> & Smith's \"quote\"{% endif %}"


# --- helpers ------------------------------------------------------------------------------------

def _new(actor, data=None) -> int:
    return intake.create_request(parse_application(data or meets_rule_a(), context.policy()), actor).id


def _declined(casey) -> int:
    """One incident reported to the police, one to a non-relevant agency: the threshold is not met."""
    data = application(incident("i1", "2026-10-01", report("police", "2026-10-02")),
                       incident("i2", "2026-10-05", report("health", "2026-10-06")))
    case_id = _new(casey, data)
    workflow.acknowledge(case_id, casey)
    workflow.decide(case_id, casey, accept=False)
    return case_id


def _accepted(casey, data=None) -> int:
    case_id = _new(casey, data)
    workflow.acknowledge(case_id, casey)
    workflow.decide(case_id, casey, accept=True)
    return case_id


def _scheduled(casey, data=None, meeting_on=date(2026, 12, 3)) -> int:
    case_id = _accepted(casey, data)
    workflow.schedule_review(case_id, casey, meeting_on=meeting_on, chair_name="Chris Hall",
                             agencies=["police", "council"], participation="virtual")
    return case_id


def _drafted(casey) -> int:
    case_id = _scheduled(casey, meeting_on=TODAY)  # findings follow a meeting that has taken place
    workflow.record_findings(case_id, casey, "No agency visited after the third report.")
    workflow.draft_outcome(case_id, casey, summary="The agencies missed the pattern.", recommendations=[
        RecommendationIn("police", "Assign a named officer.", date(2027, 1, 15)),
        RecommendationIn("council", "Open a joint case with the landlord.", date(2027, 2, 1))])
    return case_id


def _approved(casey, chris) -> int:
    case_id = _drafted(casey)
    victim_heard(case_id, casey)
    workflow.submit_outcome(case_id, casey)
    workflow.approve_outcome(case_id, chris)
    return case_id


def _paragraphs(document):
    """Every paragraph a reader sees: body, table cells, headers and footers."""
    def walk(container):
        for block in container.iter_inner_content():
            if isinstance(block, Table):
                for row in block.rows:
                    for cell in row.cells:
                        yield from walk(cell)
            else:
                yield block
    yield from walk(document)
    for section in document.sections:
        yield from walk(section.header)
        yield from walk(section.footer)


def _read(path: str) -> str:
    return "\n".join(p.text for p in _paragraphs(Document(path)))


def _table_rows(path: str) -> list[list[str]]:
    """The body's tables; the first table is page one's head (the address and the letterhead)."""
    return [[cell.text for cell in row.cells] for table in Document(path).tables[1:] for row in table.rows]


def _open_steps(case_id: int) -> set[str]:
    with Case._meta.database.connection_context():
        return {d.step for d in Deadline.select().where((Deadline.case == case_id) & Deadline.closed_at.is_null())}


def _with_replaced(template: Path, target: Path, old: str, new: str) -> None:
    """Copy a .docx, changing text in its document XML, as an edit in Word would."""
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                text = data.decode("utf-8")
                assert old in text
                data = text.replace(old, new).encode("utf-8")
            out.writestr(item, data)


# --- each letter at its stage --------------------------------------------------------------------

def test_acknowledgement_names_the_applicant_and_the_decision_date(users, tmp_path):
    case_id = _new(users["casey"])
    produced = letters.produce(case_id, "acknowledgement", users["casey"], tmp_path)
    text = _read(produced.path)
    assert Path(produced.path).name == "CT-2026-0001_acknowledgement_v1.docx"
    assert "Dear Ann Lee," in text
    assert "Our reference: CT-2026-0001" in text
    assert "Date: 25 November 2026" in text
    assert "received on 20 November 2026" in text
    assert "By Friday 4 December 2026 we will write" in text
    assert "Safer Leicester Partnership" in text and "LE1 1FZ" in text and "0116 454 1000" in text
    assert "Yours sincerely,\nCasey Morgan\nCommunity Trigger caseworker\nSafer Leicester Partnership" in text


def test_agency_update_request_goes_to_one_agency_about_its_own_reports(users, tmp_path):
    casey = users["casey"]
    case_id = _new(casey)
    with pytest.raises(TransitionNotAllowed, match="No agency has an update request"):
        letters.produce(case_id, "agency_update_request", casey, tmp_path)
    workflow.request_updates(case_id, casey, ["police", "council"])
    assert letters.update_request_agencies(case_id) == ["police", "council"]
    with pytest.raises(InvalidInput, match="agency: choose") as caught:
        letters.produce(case_id, "agency_update_request", casey, tmp_path)
    assert caught.value.field == "agency"
    produced = letters.produce(case_id, "agency_update_request", casey, tmp_path, agency="police")
    text = _read(produced.path)
    assert produced.recipient == "Leicestershire Police" and not produced.large_print
    assert "Dear colleague," in text
    assert "request from Ann Lee" in text
    assert "Please send us by Wednesday 2 December 2026" in text
    rows = _table_rows(produced.path)
    assert rows[0] == ["Incident date", "Reported on", "Reported by", "Your reference", "What happened"]
    assert rows[1:] == [["1 October 2026", "2 October 2026", "Ann Lee", "", "Loud music all night"]]
    assert Path(produced.path).name == "CT-2026-0001_agency_update_request_police_v1.docx"
    assert "help us decide whether the request meets the threshold" in text


def test_an_update_asked_for_after_acceptance_serves_the_review_not_the_decision(users, tmp_path):
    casey = users["casey"]
    case_id = _accepted(casey)
    workflow.request_updates(case_id, casey, ["police"])
    text = _read(letters.produce(case_id, "agency_update_request", casey, tmp_path).path)
    assert "help the review of how the agencies responded to these reports" in text
    assert "meets the threshold" not in text


def test_threshold_met_gives_the_decision_and_review_dates(users, tmp_path):
    case_id = _accepted(users["casey"])
    text = _read(letters.produce(case_id, "threshold_met", users["casey"], tmp_path).path)
    assert "on 25 November 2026 decided that it meets the threshold" in text
    assert "within 28 days, by Wednesday 23 December 2026" in text


def test_threshold_not_met_explains_each_rule_the_appeal_window_and_other_routes(users, tmp_path):
    case_id = _declined(users["casey"])
    produced = letters.produce(case_id, "threshold_not_met", users["casey"], tmp_path)
    text = _read(produced.path)
    with Case._meta.database.connection_context():
        verdict = json.loads(Case.get_by_id(case_id).verdict_json)
    for rule in [verdict["statutory"], *verdict["rules"]]:
        result = "Met" if rule["passed"] else "Not met"
        assert f"{rule['title']}: {result}" in text
        assert rule["letter_sentence"] in text
    assert "Statutory rule (s.104(4)): enough complaints about the behaviour: Not met" in text
    assert "A. Reports about enough different incidents: Not met" in text
    assert "D. Dissatisfied with the agencies' response: Met" in text
    assert "A report to NHS Leicester, Leicestershire and Rutland on 6 October 2026" in text
    assert "is not one of the agencies the Community Trigger covers" in text
    # Spoken to the applicant: no incident ids, no system words.
    assert not re.search(r"\bi[0-9]+\b", text) and "the applicant" not in text.lower()
    assert "within 20 working days, that is by Wednesday 23 December 2026" in text
    policy = context.policy()
    for agency in ("council", "police", "housing_provider", "health"):
        assert policy.agencies[agency].complaints in text
    assert "Local Government and Social Care Ombudsman" in text
    assert "Independent Office for Police Conduct" in text


def test_declined_on_a_ground_says_so_with_the_reason(users, tmp_path):
    casey = users["casey"]
    case_id = _new(casey)
    workflow.acknowledge(case_id, casey)
    workflow.decide(case_id, casey, accept=False, ground="vexatious", reason="Fourth request this year.")
    assert "threshold_not_met" not in letters.offered_letters(case_id)
    with pytest.raises(TransitionNotAllowed, match="declined on the ground that it is vexatious"):
        letters.produce(case_id, "threshold_not_met", casey, tmp_path)
    made = letters.produce(case_id, "declined", casey, tmp_path)
    assert Path(made.path).name == "CT-2026-0001_declined_v1.docx"  # filed as what it is
    text = _read(made.path)
    assert "We decided that your request is vexatious." in text
    assert "Our reasons: Fourth request this year." in text
    assert "Why your request does not meet the threshold" not in text
    assert "within 20 working days" in text  # it can be appealed, as any decision against the applicant


def test_a_decision_letter_is_signed_by_whoever_decided(users, tmp_path):
    casey, sam = users["casey"], users["sam"]
    case_id = _new(casey)
    workflow.acknowledge(case_id, casey)
    workflow.decide(case_id, sam, accept=False, ground="vexatious", reason="Fourth request this year.")
    text = _read(letters.produce(case_id, "declined", casey, tmp_path).path)
    assert "Sam Okafor\nCommunity Trigger supervisor" in text


def test_review_invitation_lists_the_ways_to_take_part(users, tmp_path):
    casey = users["casey"]
    case_id = _accepted(casey)
    with pytest.raises(TransitionNotAllowed, match="review meeting to be scheduled"):
        letters.produce(case_id, "review_invitation", casey, tmp_path)
    workflow.schedule_review(case_id, casey, meeting_on=date(2026, 12, 3), chair_name="Chris Hall",
                             agencies=["police", "council"], participation="virtual")
    text = _read(letters.produce(case_id, "review_invitation", casey, tmp_path).path)
    assert "will take place on Thursday 3 December 2026, chaired by Chris Hall" in text
    assert "Leicestershire Police and Leicester City Council" in text
    assert "you would like to take part virtually" in text
    for option in ("in person", "by a written statement", "through an advocate"):
        assert option in text


def test_extension_gives_the_new_date_and_the_reason(users, tmp_path):
    casey = users["casey"]
    case_id = _accepted(casey)
    with pytest.raises(TransitionNotAllowed, match="extended"):
        letters.produce(case_id, "extension", casey, tmp_path)
    workflow.extend_review(case_id, casey, new_date=date(2027, 1, 20), reason="Police records awaited.")
    text = _read(letters.produce(case_id, "extension", casey, tmp_path).path)
    assert "completed by Wednesday 23 December 2026" in text
    assert "complete it by Wednesday 20 January 2027" in text
    assert "The reason: Police records awaited." in text


def test_outcome_only_after_the_chairs_approval_and_in_the_chairs_name(users, tmp_path):
    casey, chris = users["casey"], users["chris"]
    case_id = _scheduled(casey, meeting_on=date(2026, 11, 25))
    workflow.draft_outcome(case_id, casey, summary="Missed pattern.", recommendations=[])
    with pytest.raises(TransitionNotAllowed, match="chair has approved"):
        letters.produce(case_id, "outcome", casey, tmp_path)
    case_id = _approved(casey, chris)
    produced = letters.produce(case_id, "outcome", casey, tmp_path)
    text = _read(produced.path)
    assert "No agency visited after the third report." in text
    assert "The agencies missed the pattern." in text
    assert _table_rows(produced.path) == [
        ["No.", "Agency", "Action", "Due by"],
        ["1", "Leicestershire Police", "Assign a named officer.", "15 January 2027"],
        ["2", "Leicester City Council", "Open a joint case with the landlord.", "1 February 2027"]]
    assert "Yours sincerely,\n\nChris Hall\nChair\nSafer Leicester Partnership" in text
    assert "Approved on 25 November 2026" in text


def test_appeal_letters_follow_the_appeal(users, tmp_path):
    casey, sam = users["casey"], users["sam"]
    case_id = _declined(casey)
    with pytest.raises(TransitionNotAllowed, match="no appeal"):
        letters.produce(case_id, "appeal_acknowledgement", casey, tmp_path)
    workflow.record_appeal(case_id, casey, lodged_on=date(2026, 11, 25), grounds="Two reports were missed.")
    assert "appeal_decision" not in letters.offered_letters(case_id)
    text = _read(letters.produce(case_id, "appeal_acknowledgement", casey, tmp_path).path)
    assert "received on 25 November 2026, against our decision not to carry out a review" in text
    assert "You told us: Two reports were missed." in text
    assert "by Wednesday 23 December 2026" in text
    workflow.decide_appeal(case_id, sam, upheld=False, independent_chair="Dr R. Khan", reason="Correctly decided.")
    text = _read(letters.produce(case_id, "appeal_decision", casey, tmp_path).path)
    assert "An independent chair, Dr R. Khan, has considered your appeal" in text
    assert "Your appeal is not upheld. This decision is final" in text
    assert "The reasons: Correctly decided." in text
    assert "Independent Office for Police Conduct" in text
    assert "Dr R. Khan\nIndependent chair" in text


def test_no_template_tag_is_left_in_any_letter(users, tmp_path):
    casey, chris = users["casey"], users["chris"]
    produced = [letters.produce(_new(casey), "acknowledgement", casey, tmp_path)]
    declined = _declined(casey)
    produced.append(letters.produce(declined, "threshold_not_met", casey, tmp_path))
    on_ground = _new(casey)
    workflow.acknowledge(on_ground, casey)
    workflow.decide(on_ground, casey, accept=False, ground="malicious", reason="Made to harass.")
    produced.append(letters.produce(on_ground, "declined", casey, tmp_path))
    workflow.record_appeal(declined, casey, lodged_on=date(2026, 11, 25), grounds="Unfair.")
    produced.append(letters.produce(declined, "appeal_acknowledgement", casey, tmp_path))
    workflow.decide_appeal(declined, users["sam"], upheld=True, independent_chair="Dr R. Khan", reason="Missed.")
    produced.append(letters.produce(declined, "appeal_decision", casey, tmp_path))
    scheduled = _scheduled(casey)
    workflow.request_updates(scheduled, casey, ["council"])
    workflow.extend_review(scheduled, casey, new_date=date(2027, 1, 20), reason="Records awaited.")
    for kind in ("threshold_met", "review_invitation", "extension", "agency_update_request"):
        produced.append(letters.produce(scheduled, kind, casey, tmp_path))
    approved = _approved(casey, chris)
    produced.append(letters.produce(approved, "outcome", casey, tmp_path))
    workflow.close(approved, casey, "The outcome has been sent.", out_dir=tmp_path)
    withdrawn = _new(casey)
    workflow.withdraw(withdrawn, casey, "Moved away.", out_dir=tmp_path)
    consulted = _drafted(casey)
    workflow.consult_victim(consulted, casey, out_dir=tmp_path)
    produced += [x for x in letters.list_letters(approved) + letters.list_letters(withdrawn)
                 + letters.list_letters(consulted) if x.kind in ("closure", "withdrawal", "action_plan")]
    assert sorted({p.kind for p in produced}) == sorted(letters.KINDS)
    for letter in produced:
        text = _read(letter.path)
        assert "{{" not in text and "{%" not in text and "}}" not in text, letter.kind
        assert "CT-2026-" in text and "Safer Leicester Partnership" in text, letter.kind


# --- user text is data --------------------------------------------------------------------------

def test_text_users_type_prints_exactly_as_typed(users, tmp_path):
    casey = users["casey"]
    case_id = _accepted(casey, meets_rule_a(applicant={
        **application()["applicant"], "name": "Ann <Lee> & {{ 7*7 }}"}))
    workflow.extend_review(case_id, casey, new_date=date(2027, 1, 20), reason=TRICKY)
    text = _read(letters.produce(case_id, "extension", casey, tmp_path).path)
    assert f"The reason: {TRICKY}" in text
    assert "Dear Ann <Lee> & {{ 7*7 }}," in text
    assert "49" not in text


# --- the registry of kinds -----------------------------------------------------------------------

def test_every_registered_kind_has_a_sound_template_in_letters():
    shipped = REPO / "letters"
    for kind in LETTER_KINDS:
        path = shipped / kind.template
        assert path.is_file(), f"{kind.key}: no template {path}"
        assert letters.template_problems(kind.key, path) == [], kind.key
    templates = sorted(kind.template for kind in LETTER_KINDS)
    assert sorted(p.name for p in shipped.glob("*.docx")) == templates  # and none for no kind


def _kinds_named(node: ast.AST) -> set[str]:
    """The kinds a literal names: itself, or the items (or keys) of a tuple, list, set or dict."""
    items = (node.keys if isinstance(node, ast.Dict)
             else node.elts if isinstance(node, ast.Tuple | ast.List | ast.Set) else [node])
    return {i.value for i in items if isinstance(i, ast.Constant) and i.value in letters.KINDS}


def test_no_module_but_the_registry_spells_out_the_kinds():
    """A list of kinds, or an if-chain over them, anywhere else would drift from the registry."""
    registry = REPO / "caseworker_tui" / "services" / "letters" / "kinds.py"
    modules = [*(REPO / "caseworker_tui").rglob("*.py"), *(REPO / "tools").rglob("*.py")]
    for path in [m for m in modules if m != registry]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        compared: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict | ast.Tuple | ast.List | ast.Set):
                assert len(_kinds_named(node)) < 3, f"{path.relative_to(REPO)}:{node.lineno}"
            if isinstance(node, ast.Compare):
                for side in (node.left, *node.comparators):
                    compared |= _kinds_named(side)
        assert len(compared) < 3, f"{path.relative_to(REPO)} compares with {sorted(compared)}"


# --- templates ------------------------------------------------------------------------------------

def test_every_shipped_template_uses_only_what_its_letter_provides():
    checks = letters.check_templates()
    assert [c.name for c in checks] == [f"{kind}.docx" for kind in letters.KINDS]
    assert [problem for c in checks for problem in c.problems] == []


@pytest.mark.parametrize(("old", "new", "named"), [
    ("{{ decide_by }}", "{{ decide_bye }}", "{{ decide_bye }}"),
    ("{{ partnership.name }}", "{{ partnership.nmae }}", "{{ partnership.nmae }}"),
])
def test_a_misspelt_variable_is_a_clear_error_and_nothing_is_kept(users, tmp_path, old, new, named):
    override = tmp_path / "templates"
    override.mkdir()
    _with_replaced(letters.template_path("acknowledgement"), override / "acknowledgement.docx", old, new)
    problems = letters.template_problems("acknowledgement", override / "acknowledgement.docx")
    assert len(problems) == 1 and problems[0].startswith("acknowledgement.docx: unknown variable")
    assert named in problems[0]
    case_id = _new(users["casey"])
    out = tmp_path / "out"
    with pytest.raises(LetterTemplateError, match="acknowledgement.docx: unknown variable") as caught:
        letters.produce(case_id, "acknowledgement", users["casey"], out, letters_dir=override)
    assert named in str(caught.value)
    assert letters.list_letters(case_id) == []
    assert not out.exists() or list(out.iterdir()) == []


def test_a_misspelt_field_inside_a_loop_is_named(tmp_path):
    target = tmp_path / "outcome.docx"
    _with_replaced(letters.template_path("outcome"), target, "{{ rec.action }}", "{{ rec.actoin }}")
    assert letters.template_problems("outcome", target) == [
        "outcome.docx: unknown variable {{ rec.actoin }}; rec has number, agency, action, due_on"]


def test_a_broken_tag_names_the_template_and_where(tmp_path):
    target = tmp_path / "extension.docx"
    _with_replaced(letters.template_path("extension"), target, "{{ reason }}", "{{ reason ")
    problems = letters.template_problems("extension", target)
    assert len(problems) == 1
    assert problems[0].startswith("extension.docx: template error near “The reason: {{ reason")


def test_a_template_in_letters_dir_replaces_the_shipped_one_by_name(users, tmp_path):
    override = tmp_path / "templates"
    override.mkdir()
    _with_replaced(letters.template_path("acknowledgement"), override / "acknowledgement.docx",
                   "What happens next", "What we do now")
    assert letters.template_path("acknowledgement", override) == override / "acknowledgement.docx"
    assert letters.template_path("outcome", override) == letters.template_path("outcome")
    produced = letters.produce(_new(users["casey"]), "acknowledgement", users["casey"], tmp_path / "out",
                               letters_dir=override)
    assert "What we do now" in _read(produced.path)


# --- large print ----------------------------------------------------------------------------------

def test_large_print_when_the_applicant_needs_it(users, tmp_path):
    casey = users["casey"]
    needs = {**application()["applicant"], "needs": ["large_print"]}
    large = letters.produce(_new(casey, meets_rule_a(applicant=needs)), "acknowledgement", casey, tmp_path)
    ordinary = letters.produce(_new(casey), "acknowledgement", casey, tmp_path)
    assert (large.large_print, ordinary.large_print) == (True, False)

    def sizes(path, head: bool = False):
        """The runs' sizes in the body, or in page one's head (the address and the letterhead), which
        keeps its size so that the address fits the envelope's window."""
        return [run.font.size for p in _paragraphs(Document(path)) for run in p.runs if run.text.strip()
                and (p.style.name in ("Letterhead", "Letter Address")) == head]
    assert all(size is not None and size >= Pt(16) for size in sizes(large.path))
    assert sizes(large.path, head=True) == sizes(ordinary.path, head=True) and sizes(large.path, head=True)
    assert any(size is None or size < Pt(16) for size in sizes(ordinary.path))
    assert _read(large.path).replace("CT-2026-0001", "CT-2026-0002") == _read(ordinary.path)


# --- versions, records, sending -------------------------------------------------------------------

def test_producing_again_writes_a_new_version_and_keeps_the_first(users, tmp_path):
    out = tmp_path / "out"
    casey = users["casey"]
    case_id = _new(casey)
    first = letters.produce(case_id, "acknowledgement", casey, out)
    second = letters.produce(case_id, "acknowledgement", casey, out)
    assert (first.version_no, second.version_no) == (1, 2)
    assert Path(first.path).name == "CT-2026-0001_acknowledgement_v1.docx"
    assert Path(second.path).name == "CT-2026-0001_acknowledgement_v2.docx"
    for letter in (first, second):
        assert hashlib.sha256(Path(letter.path).read_bytes()).hexdigest() == letter.checksum
    assert [(x.id, x.version_no) for x in letters.list_letters(case_id)] == [(first.id, 1), (second.id, 2)]
    assert sorted(p.name for p in out.iterdir()) == [Path(first.path).name, Path(second.path).name]
    with Case._meta.database.connection_context():
        events = [e.action for e in AuditEvent.select().where(AuditEvent.case == case_id)]
    assert events.count("letter_produced") == 2


def test_a_file_left_by_another_database_is_never_overwritten(users, tmp_path):
    casey = users["casey"]
    foreign = tmp_path / "CT-2026-0001_acknowledgement_v1.docx"
    foreign.write_bytes(b"someone else's letter")
    produced = letters.produce(_new(casey), "acknowledgement", casey, tmp_path)
    assert produced.version_no == 2 and Path(produced.path).name.endswith("_v2.docx")
    assert foreign.read_bytes() == b"someone else's letter"


def test_when_the_record_cannot_be_written_the_file_goes_too(users, tmp_path, monkeypatch):
    out = tmp_path / "out"
    casey = users["casey"]
    case_id = _new(casey)

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")
    monkeypatch.setattr(audit, "record", fail)
    with pytest.raises(RuntimeError):
        letters.produce(case_id, "acknowledgement", casey, out)
    assert list(out.iterdir()) == []  # neither the letter nor its temporary file
    with Case._meta.database.connection_context():
        assert Letter.select().count() == 0


def test_marking_a_letter_sent_closes_the_deadline_it_answers(users, tmp_path):
    casey = users["casey"]
    case_id = _declined(casey)
    assert "notify_decision" in _open_steps(case_id)
    produced = letters.produce(case_id, "threshold_not_met", casey, tmp_path)
    with pytest.raises(InvalidInput, match="channel"):
        letters.mark_sent(produced.id, casey, date(2026, 11, 25), "pigeon")
    with pytest.raises(InvalidInput, match="future"):
        letters.mark_sent(produced.id, casey, date(2026, 11, 26), "post")
    sent = letters.mark_sent(produced.id, casey, date(2026, 11, 25), "post")
    assert (sent.sent_on, sent.channel) == (date(2026, 11, 25), "post")
    assert "notify_decision" not in _open_steps(case_id)
    with Case._meta.database.connection_context():
        case = Case.get_by_id(case_id)
        assert case.next_due_step != "notify_decision"
        event = AuditEvent.select().where(AuditEvent.action == "letter_sent").get()
    assert json.loads(event.details_json)["closed_step"] == "notify_decision"
    with pytest.raises(TransitionNotAllowed, match="already marked sent"):
        letters.mark_sent(produced.id, casey, date(2026, 11, 25), "email")


def test_extension_and_outcome_letters_close_their_steps(users, tmp_path):
    casey, chris = users["casey"], users["chris"]
    case_id = _approved(casey, chris)
    assert "review" in _open_steps(case_id)
    outcome = letters.produce(case_id, "outcome", casey, tmp_path)
    letters.mark_sent(outcome.id, casey, date(2026, 11, 25), "email")
    assert "review" not in _open_steps(case_id)
    case_id = _accepted(casey)
    workflow.extend_review(case_id, casey, new_date=date(2027, 1, 20), reason="Records awaited.")
    assert "notify_extension" in _open_steps(case_id)
    extension = letters.produce(case_id, "extension", casey, tmp_path)
    letters.mark_sent(extension.id, casey, date(2026, 11, 25), "hand")
    assert "notify_extension" not in _open_steps(case_id)
    assert "review" in _open_steps(case_id)


# --- which letters, who may ---------------------------------------------------------------------

def test_the_letters_offered_follow_the_stage(users, tmp_path):
    casey = users["casey"]
    case_id = _new(casey)
    assert letters.offered_letters(case_id) == ["acknowledgement"]
    workflow.acknowledge(case_id, casey)
    workflow.request_updates(case_id, casey, ["police"])
    assert letters.offered_letters(case_id) == ["acknowledgement", "agency_update_request"]
    acknowledgement = letters.produce(case_id, "acknowledgement", casey, tmp_path)
    letters.mark_sent(acknowledgement.id, casey, TODAY, "post")
    workflow.decide(case_id, casey, accept=True)
    assert letters.offered_letters(case_id) == ["agency_update_request", "threshold_met"]
    options = {o.kind: o for o in letters.letter_options(case_id)}
    assert not options["outcome"].offered
    assert options["outcome"].reason == ("The outcome letter goes out only once the chair has approved the "
                                         "outcome; CT-2026-0001 is accepted.")
    with pytest.raises(TransitionNotAllowed, match="CT-2026-0001 is accepted"):
        letters.produce(case_id, "outcome", casey, tmp_path)
    with pytest.raises(InvalidInput, match="kind: must be one of") as caught:
        letters.produce(case_id, "birthday_card", casey, tmp_path)
    assert caught.value.field == "kind"
    workflow.withdraw(case_id, casey, "Moved away.")
    assert letters.offered_letters(case_id) == ["withdrawal"]  # the confirmation, and nothing else


def test_only_those_who_work_cases_produce_and_send_letters(users, tmp_path):
    case_id = _new(users["casey"])
    with pytest.raises(PermissionDenied):
        letters.produce(case_id, "acknowledgement", users["ada"], tmp_path)
    produced = letters.produce(case_id, "acknowledgement", users["chris"], tmp_path)
    with pytest.raises(PermissionDenied):
        letters.mark_sent(produced.id, users["chris"], date(2026, 11, 25), "post")
    assert letters.mark_sent(produced.id, users["sam"], date(2026, 11, 25), "post").channel == "post"


def test_the_preview_reads_the_letter_as_plain_text(users, tmp_path):
    case_id = _approved(users["casey"], users["chris"])
    produced = letters.produce(case_id, "outcome", users["casey"], tmp_path)
    preview = letters.letter_text(produced.id)
    assert preview.startswith("Safer Leicester Partnership\n")
    assert "Our reference: CT-2026-0001" in preview
    assert "1 | Leicestershire Police | Assign a named officer. | 15 January 2027" in preview
    Path(produced.path).unlink()
    with pytest.raises(Exception, match="missing or cannot be read"):
        letters.letter_text(produced.id)


def test_docxtpl_and_python_docx_load_only_when_a_letter_is_made():
    code = ("import sys, caseworker_tui.services.letters; "
            "print(sorted(m for m in ('docxtpl', 'docx', 'jinja2') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"



def test_an_invitation_after_the_review_stage_is_refused_for_that_reason(users, tmp_path):
    """Once the outcome is drafted the invitation is refused, and not as if no meeting were scheduled."""
    casey = users["casey"]
    case_id = _scheduled(casey, meeting_on=date(2026, 11, 25))
    workflow.draft_outcome(case_id, casey, summary="Found.", recommendations=[])
    with pytest.raises(TransitionNotAllowed) as refused:
        letters.produce(case_id, "review_invitation", casey, tmp_path)
    assert "goes out while the review is under way" in str(refused.value)
    assert "outcome drafted" in str(refused.value)
    assert "to be scheduled" not in str(refused.value)


def test_a_declined_request_stops_chasing_agencies_and_offers_no_update_letter(users):
    casey = users["casey"]
    data = application(incident("i1", "2026-10-01", report("police", "2026-10-02")),
                       incident("i2", "2026-10-05", report("health", "2026-10-06")))
    case_id = _new(casey, data)
    workflow.acknowledge(case_id, casey)
    workflow.request_updates(case_id, casey, ["police"])
    assert "agency_update" in _open_steps(case_id)
    workflow.decide(case_id, casey, accept=False)
    assert "agency_update" not in _open_steps(case_id)
    assert "agency_update_request" not in letters.offered_letters(case_id)


def test_an_extension_letter_still_owed_after_approval_can_be_produced(users, tmp_path):
    casey, chris = users["casey"], users["chris"]
    case_id = _scheduled(casey, meeting_on=TODAY)
    workflow.extend_review(case_id, casey, new_date=date(2027, 1, 20), reason="Police records awaited.")
    workflow.record_findings(case_id, casey, "No agency visited after the third report.")
    workflow.draft_outcome(case_id, casey, summary="The agencies missed the pattern.", recommendations=[
        RecommendationIn("police", "Assign a named officer.", date(2027, 1, 15))])
    victim_heard(case_id, casey)
    workflow.submit_outcome(case_id, casey)
    workflow.approve_outcome(case_id, chris)
    assert "notify_extension" in _open_steps(case_id)
    assert "extension" in letters.offered_letters(case_id)
    letter = letters.produce(case_id, "extension", casey, tmp_path)
    letters.mark_sent(letter.id, casey, on=date(2026, 11, 25), channel="post")
    assert "notify_extension" not in _open_steps(case_id)
    assert "extension" not in letters.offered_letters(case_id)


def test_a_decision_letter_made_after_an_extension_gives_both_dates(users, tmp_path):
    casey = users["casey"]
    case_id = _accepted(casey)
    workflow.extend_review(case_id, casey, new_date=date(2027, 1, 20), reason="Police records awaited.")
    text = _read(letters.produce(case_id, "threshold_met", casey, tmp_path).path)
    assert "completed within 28 days, by Wednesday 23 December 2026" in text
    assert "It has since been extended to Wednesday 20 January 2027: Police records awaited." in text


def test_an_update_letter_made_after_its_due_date_chases_it(users, tmp_path):
    from caseworker_tui.services import clock

    casey = users["casey"]
    case_id = _new(casey)
    workflow.request_updates(case_id, casey, ["police"])
    clock.set_today(date(2026, 12, 7))
    text = _read(letters.produce(case_id, "agency_update_request", casey, tmp_path, agency="police").path)
    assert ("We asked for an update by Wednesday 2 December 2026 and have not received it yet. "
            "Please send us as soon as you can a short update on each report") in text
    assert "Please send us by" not in text


def test_acknowledging_makes_the_acknowledgement_and_sending_it_meets_the_step(users, tmp_path):
    casey = users["casey"]
    case_id = _new(casey)
    workflow.acknowledge(case_id, casey)

    def acknowledge_owed() -> bool:
        with db.connection_context():
            return Deadline.select().where((Deadline.case == case_id) & (Deadline.step == "acknowledge")
                                           & Deadline.closed_at.is_null()).exists()
    assert acknowledge_owed()  # acknowledged, but the applicant has not been told yet
    made = letters.produce_for_step("acknowledge", case_id, casey, tmp_path)
    assert made.kind == "acknowledgement" and "What happens next" in _read(made.path)
    assert letters.produce_for_step("acknowledge", case_id, casey, tmp_path) is None  # not made twice
    assert letters.produce_for_step("add_note", case_id, casey, tmp_path) is None  # a step with no letter
    workflow.decide(case_id, casey, accept=True)
    assert "acknowledgement" in letters.offered_letters(case_id)  # still owed, so still offered
    letters.mark_sent(made.id, casey, TODAY, "post")
    assert not acknowledge_owed()
    assert "acknowledgement" not in letters.offered_letters(case_id)  # sent, and the case has moved on
