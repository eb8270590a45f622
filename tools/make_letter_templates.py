"""Build the shipped Word letter templates in `letters/` from the wording below.

The wording lives here, as reviewable text, so a change to a letter shows up in a diff; which
letters there are, and so which templates to build, comes from the registry of letter kinds
(caseworker_tui/services/letters/kinds.py), where each body below is found by its name. Council
staff edit the built .docx files in Word afterwards; `caseworker letters check` then confirms
that every `{{ … }}` they use is something the letter's context provides. The files are built
byte for byte the same on every run (fixed dates, fixed zip timestamps), so rebuilding without
a wording change leaves git clean.

    python tools/make_letter_templates.py [--out DIR]
"""

from __future__ import annotations

import argparse
import io
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from caseworker_tui.services.letters.kinds import LETTER_KINDS, LetterKind

LETTERS = Path(__file__).resolve().parent.parent / "letters"
NAVY = RGBColor(0x1F, 0x3A, 0x5F)
GREY = RGBColor(0x59, 0x59, 0x59)
FIXED_TIME = datetime(2026, 1, 1)
ZIP_TIME = (2026, 1, 1, 0, 0, 0)

SPOC = ("Your single point of contact for this request is {{ spoc.name }}, {{ spoc.role }}. You can reach "
        "them on {{ spoc.phone }} or at {{ spoc.email }}: ask for {{ spoc.name }} and quote our reference "
        "{{ reference }}.")
CONTACT = ("If you need this letter in large print, in another language or in another format, or "
           "if anything changes, please contact us on {{ partnership.phone }} or at "
           "{{ partnership.email }}, quoting our reference {{ reference }}.")
DANGER = ("If you are in immediate danger, call 999. To report anti-social behaviour, contact the "
          "police on 101 or the council.")
OMBUDSMAN = ("The Local Government and Social Care Ombudsman, for complaints about the council: "
             "www.lgo.org.uk, telephone 0300 061 0614.")
IOPC = ("The Independent Office for Police Conduct, for complaints about the police: "
        "www.policeconduct.gov.uk, telephone 0300 020 0096.")


# --- building blocks --------------------------------------------------------------------------

def _new_document(title: str):
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(1.2), Cm(2.0)
    section.left_margin = section.right_margin = Cm(2.5)
    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    for name in ("List Bullet", "Table Grid"):
        doc.styles[name].font.name = "Arial"
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = title, "Community Trigger", "Community Trigger"
    props.comments, props.revision = "", 1
    props.created = props.modified = FIXED_TIME
    _footer(doc)
    return doc


def _footer(doc) -> None:
    paragraph = doc.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(paragraph, "{{ partnership.name }}  ·  {{ partnership.phone }}  ·  {{ partnership.email }}  ·  Page ",
         size=8.5, colour=GREY)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    paragraph._p.append(field)
    run = _run(paragraph, "1", size=8.5, colour=GREY)
    field.append(run._r)


def _run(paragraph, text: str, *, bold: bool = False, size: float | None = None,
         colour: RGBColor | None = None):
    run = paragraph.add_run(text)
    run.bold = bold or None
    if size:
        run.font.size = Pt(size)
    if colour:
        run.font.color.rgb = colour
    return run


def para(doc, text: str = "", *, bold: bool = False, size: float | None = None, after: float | None = None,
         align=None, style: str | None = None, keep_with_next: bool = False):
    paragraph = doc.add_paragraph(style=style)
    if text:
        _run(paragraph, text, bold=bold, size=size)
    if after is not None:
        paragraph.paragraph_format.space_after = Pt(after)
    if align is not None:
        paragraph.alignment = align
    if keep_with_next:
        paragraph.paragraph_format.keep_with_next = True
    return paragraph


def tag(doc, text: str) -> None:
    """A paragraph holding only a docxtpl paragraph tag, e.g. `{%p if excluded %}`."""
    para(doc, text, after=0)


def heading(doc, text: str) -> None:
    para(doc, text, bold=True, size=12, after=4, keep_with_next=True).paragraph_format.space_before = Pt(10)


def bullet(doc, *parts: tuple[str, bool]) -> None:
    paragraph = doc.add_paragraph(style="List Bullet")
    for text, bold in parts:
        _run(paragraph, text, bold=bold)


def _bottom_border(paragraph) -> None:
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "8"), ("space", "6"), ("color", "1F3A5F")):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)  # first child: before spacing and alignment


def _style(doc, name: str, size: float):
    """A paragraph style of its own: large print leaves these at their size (the envelope's window)."""
    from docx.enum.style import WD_STYLE_TYPE

    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    style.font.size = Pt(size)
    style.paragraph_format.space_after = Pt(0)
    style.paragraph_format.line_spacing = 1.0
    return style


def _exact(row, cm: float) -> None:
    from docx.enum.table import WD_ROW_HEIGHT_RULE

    row.height, row.height_rule = Cm(cm), WD_ROW_HEIGHT_RULE.EXACTLY


def _no_cell_margins(table) -> None:
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right", "top", "bottom"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:w"), "0")
        edge.set(qn("w:type"), "dxa")
        margins.append(edge)
    table._tbl.tblPr.append(margins)


def letterhead(doc) -> None:
    """Page one's head, laid out for GOV.UK Notify's precompiled letters (and window envelopes): the
    recipient's address inside the address area, 24.6-120 mm from the left and 39.5-66.3 mm from the
    top; the partnership's name and address in the column right of 125 mm; the body from 95 mm down.
    `caseworker letters check` measures a rendered letter against the same areas."""
    head, address = _style(doc, "Letterhead", 9), _style(doc, "Letter Address", 10)
    table = doc.add_table(rows=3, cols=2)
    table.autofit = False
    _no_cell_margins(table)
    for row, height in zip(table.rows, (2.9, 2.55, 2.85), strict=True):  # 12 mm margin + these = 95 mm
        _exact(row, height)
    for n, width in enumerate((10.0, 6.0)):
        table.columns[n].width = Cm(width)
        for row in table.rows:
            row.cells[n].width = Cm(width)
    window = table.cell(1, 0)
    window.paragraphs[0].style = address
    _run(window.paragraphs[0], "{{ recipient.name }}")
    window.add_paragraph("{{ recipient.address }}", style=address)
    column = table.cell(0, 1).merge(table.cell(2, 1))
    name = column.paragraphs[0]
    name.style = head
    _run(name, "{{ partnership.name }}", bold=True, size=12, colour=NAVY)
    name.paragraph_format.space_after = Pt(3)
    for text in ("{{ partnership.address }}", "Telephone {{ partnership.phone }}", "{{ partnership.email }}",
                 "{{ partnership.website }}"):
        _run(column.add_paragraph(style=head), text, colour=GREY)
    doc.element.body.remove(table._tbl)
    first = doc.paragraphs[0]._p if doc.paragraphs else None
    if first is not None:
        first.addprevious(table._tbl)
    else:
        doc.element.body.insert(0, table._tbl)


def addressee(doc, *, extra_reference: str = "") -> None:
    para(doc, "Our reference: {{ reference }}", after=0)
    if extra_reference:
        para(doc, extra_reference, after=0)
    para(doc, "Date: {{ letter_date }}", after=18)


def opening(doc, subject: str) -> None:
    para(doc, "{{ salutation }},", after=10)
    para(doc, subject, bold=True, size=12, after=10)


def sign_off(doc, name: str = "{{ sender.name }}", role: str = "{{ sender.role }}",
             signature_space: bool = False) -> None:
    para(doc, "Yours sincerely,", after=24 if not signature_space else 6, keep_with_next=True)
    if signature_space:
        para(doc, "", after=30, keep_with_next=True)
    para(doc, name, bold=True, after=0, keep_with_next=True)
    para(doc, role, after=0, keep_with_next=True)
    para(doc, "{{ partnership.name }}", after=0)


def _shade(cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    for key, value in (("val", "clear"), ("color", "auto"), ("fill", fill)):
        shading.set(qn(f"w:{key}"), value)
    cell._tc.get_or_add_tcPr().append(shading)


def loop_table(doc, headers: list[str], cells: list[str], loop: str, widths: list[float]) -> None:
    """A table whose middle row repeats once per item (`{%tr for … %}` … `{%tr endfor %}`)."""
    table = doc.add_table(rows=4, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    rows = table.rows
    for n, text in enumerate(headers):
        _shade(rows[0].cells[n], "DCE6F0")
        _run(rows[0].cells[n].paragraphs[0], text, bold=True, size=10)
    rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # repeat on each page
    _run(rows[1].cells[0].paragraphs[0], f"{{%tr for {loop} %}}")
    for n, text in enumerate(cells):
        _run(rows[2].cells[n].paragraphs[0], text, size=10)
    _run(rows[3].cells[0].paragraphs[0], "{%tr endfor %}")
    table.autofit = False
    for n, width in enumerate(widths):
        table.columns[n].width = Cm(width)  # the grid, which LibreOffice lays the table out by
        for row in rows:
            row.cells[n].width = Cm(width)  # each cell, which Word lays it out by
    para(doc, after=4)


def other_routes(doc) -> None:
    heading(doc, "Other ways to raise your concerns")
    para(doc, "The Community Trigger does not replace the complaints procedures of the agencies "
              "involved. You can also complain to:")
    tag(doc, "{%p for route in complaints %}")
    bullet(doc, ("{{ route.how }}", False))
    tag(doc, "{%p endfor %}")
    bullet(doc, (OMBUDSMAN, False))
    bullet(doc, (IOPC, False))


# --- the letters ------------------------------------------------------------------------------

# Each letter's title and body, by the key of the kind it words (the body function's name).
WORDING: dict[str, tuple[str, Callable]] = {}


def wording(title: str) -> Callable[[Callable], Callable]:
    """Record the decorated body as the wording of the kind it is named after, titled `title`."""
    def record(body: Callable) -> Callable:
        WORDING[body.__name__] = (title, body)
        return body
    return record


@wording("Acknowledgement of a Community Trigger request")
def acknowledgement(doc) -> None:
    opening(doc, "Your Community Trigger request (ASB Case Review)")
    para(doc, "Thank you for your request for a Community Trigger, also called an Anti-social Behaviour "
              "Case Review, which we received on {{ received_on }}.")
    para(doc, "The Community Trigger gives you the right to ask the agencies that deal with anti-social "
              "behaviour to review how they have responded to your reports. The {{ partnership.name }} "
              "carries out the review.")
    heading(doc, "What happens next")
    para(doc, "We are asking the agencies you reported the anti-social behaviour to for an update on what "
              "they have done. By {{ decide_by }} we will write to tell you whether your request meets "
              "the threshold for a review and, if it does, what happens next.")
    para(doc, DANGER)
    para(doc, SPOC)
    para(doc, CONTACT)
    sign_off(doc)


@wording("Request for an update from an agency")
def agency_update_request(doc) -> None:
    opening(doc, "Community Trigger request {{ reference }}: request for an update")
    para(doc, "The {{ partnership.name }} has received a Community Trigger (ASB Case Review) request from "
              "{{ applicant_name }}, {{ applicant_address }}, on {{ received_on }}. The applicant says "
              "they reported anti-social behaviour to {{ agency_label }} as follows:")
    loop_table(doc, ["Incident date", "Reported on", "Reported by", "Your reference", "What happened"],
               ["{{ r.occurred_on }}", "{{ r.reported_on }}", "{{ r.reporter }}", "{{ r.agency_reference }}",
                "{{ r.description }}"], "r in reports", [2.6, 2.6, 2.8, 2.6, 5.4])
    para(doc, "{% if overdue %}We asked for an update by {{ due_on }} and have not received it yet. "
              "Please send us as soon as you can{% else %}Please send us by {{ due_on }}{% endif %} "
              "a short update on each report: what action was taken, "
              "whether the case is still open, and any risk or vulnerability you are aware of. "
              "{% if review_under_way %}Your update will help the review of how the agencies responded "
              "to these reports.{% else %}Your update will help us decide whether the request meets the "
              "threshold for a review.{% endif %}")
    para(doc, "Please reply to {{ partnership.email }}, quoting our reference {{ reference }}. We ask for "
              "this information under section 104 of the Anti-social Behaviour, Crime and Policing Act "
              "2014 (the Community Trigger).")
    sign_off(doc)


@wording("Threshold met: a review will take place")
def threshold_met(doc) -> None:
    opening(doc, "Your Community Trigger request: a review will take place")
    para(doc, "We have considered your Community Trigger request, received on {{ received_on }}, and on "
              "{{ decided_on }} decided that it meets the threshold for an ASB Case Review.")
    heading(doc, "What happens next")
    para(doc, "The {{ partnership.name }} will bring together the agencies involved to review how they "
              "responded to your reports and whether more can be done. The review will usually be "
              "completed within {{ review_within }}, by {{ review_due }}. If it will take longer, we "
              "will write to tell you the new date and why.{% if extended_to %} It has since been "
              "extended to {{ extended_to }}: {{ extension_reason }}{% endif %}")
    para(doc, "We will write to you again to explain how you can take part in the review: in person, "
              "virtually, by a written statement or through an advocate.")
    para(doc, "When the review is complete, the chair of the {{ partnership.name }} will write to you "
              "with the outcome and any recommendations made to the agencies.")
    para(doc, DANGER)
    para(doc, SPOC)
    para(doc, CONTACT)
    sign_off(doc)


@wording("Threshold not met: no review")
def threshold_not_met(doc) -> None:
    opening(doc, "Your Community Trigger request: our decision")
    para(doc, "We have considered your Community Trigger request, received on {{ received_on }}. On "
              "{{ decided_on }} we decided that an ASB Case Review will not take place.")
    heading(doc, "Why your request does not meet the threshold")
    para(doc, "A review takes place when the law's threshold is met, or when the threshold our partnership "
              "sets for itself is met. This is how each part applied to your request:")
    tag(doc, "{%p for rule in rules %}")
    p = para(doc, after=2, keep_with_next=True)
    _run(p, "{{ rule.title }}: ", bold=True)
    _run(p, "{{ rule.result }}", bold=True)
    para(doc, "{{ rule.explanation }}", after=8)
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if excluded %}")
    para(doc, "We could not count these reports:", keep_with_next=True)
    tag(doc, "{%p for x in excluded %}")
    bullet(doc, ("{{ x.what }}: ", True), ("{{ x.reason }}.", False))
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if decision_reason %}")
    para(doc, "Our reasons: {{ decision_reason }}")
    tag(doc, "{%p endif %}")
    _disagree(doc)


def _disagree(doc) -> None:
    """How a decision against the applicant can be challenged, and what to do meanwhile."""
    heading(doc, "If you disagree with this decision")
    para(doc, "You can ask for this decision to be looked at again by an independent chair. Please write "
              "to us within {{ appeal_within }}, that is by {{ appeal_by }}, saying why you "
              "disagree.")
    other_routes(doc)
    para(doc, "If the anti-social behaviour continues, please keep reporting it to the police on 101 "
              "(999 in an emergency) or to the council.")
    para(doc, SPOC)
    para(doc, CONTACT)
    sign_off(doc)


@wording("Your request has been declined")
def declined(doc) -> None:
    opening(doc, "Your Community Trigger request: our decision")
    para(doc, "We have considered your Community Trigger request, received on {{ received_on }}. On "
              "{{ decided_on }} we decided that an ASB Case Review will not take place.")
    heading(doc, "Why we decided not to carry out a review")
    para(doc, "The law allows a request to be declined, even when it meets the threshold, if it is "
              "prejudicial, discriminatory, malicious, unreasonable, vexatious or frivolous. We decided "
              "that your request is {{ ground_words }}.")
    tag(doc, "{%p if decision_reason %}")
    para(doc, "Our reasons: {{ decision_reason }}")
    tag(doc, "{%p endif %}")
    _disagree(doc)


@wording("Invitation to take part in the review")
def review_invitation(doc) -> None:
    opening(doc, "Your Community Trigger review: how you can take part")
    para(doc, "The review of your Community Trigger request will take place on {{ meeting_on }}, chaired "
              "by {{ chair_name }}. These agencies will take part: {{ agencies }}.")
    tag(doc, "{%p if invited %}")
    para(doc, "Your views are an important part of the review. You can take part in whichever of these "
              "ways suits you best:", keep_with_next=True)
    tag(doc, "{%p for option in options %}")
    bullet(doc, ("{{ option }}", False))
    tag(doc, "{%p endfor %}")
    para(doc, "We have noted that you would like to take part {{ participation_words }}. If you would "
              "prefer another way, or need an interpreter, an advocate or other support to take part, "
              "please tell us before the meeting.")
    tag(doc, "{%p if virtual %}")
    para(doc, "{% if virtual_link %}To join the meeting, use this link: {{ virtual_link }}{% else %}We will send "
              "you the link to join the meeting before {{ meeting_on }}.{% endif %}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p else %}")
    para(doc, "The panel has decided not to invite you to the meeting itself, for this reason: "
              "{{ not_invited_reason }}")
    para(doc, "Your views still matter. You can send us a written statement before {{ meeting_on }}, or "
              "ask someone to act as your advocate and write to us for you.")
    tag(doc, "{%p endif %}")
    para(doc, "We expect to complete the review by {{ review_due }}. The chair will then write to you "
              "with the outcome.")
    para(doc, SPOC)
    para(doc, CONTACT)
    sign_off(doc)


@wording("Extension of the review")
def extension(doc) -> None:
    opening(doc, "Your Community Trigger review: a new completion date")
    para(doc, "We told you that the review of your Community Trigger request would be completed by "
              "{{ previous_due }}. It will take longer than that: we now expect to complete it by "
              "{{ new_due }}.")
    para(doc, "The reason: {{ reason }}")
    para(doc, "We are sorry for the delay. The chair of the {{ partnership.name }} will write to you with "
              "the outcome as soon as the review is complete.")
    para(doc, SPOC)
    para(doc, CONTACT)
    sign_off(doc)


@wording("Outcome of the review")
def outcome(doc) -> None:
    opening(doc, "The outcome of your Community Trigger review")
    para(doc, "I am writing as chair of the {{ partnership.name }} to tell you the outcome of the ASB Case "
              "Review of your Community Trigger request, received on {{ received_on }}.")
    tag(doc, "{%p if findings %}")
    heading(doc, "What the review found")
    para(doc, "{{ findings }}")
    tag(doc, "{%p endif %}")
    heading(doc, "Summary")
    para(doc, "{{ summary }}")
    heading(doc, "Recommendations")
    tag(doc, "{%p if recommendations %}")
    para(doc, "The review makes the recommendations below. Each agency named is responsible for its "
              "action by the date shown, and the partnership will follow them up.", keep_with_next=True)
    loop_table(doc, ["No.", "Agency", "Action", "Due by"],
               ["{{ rec.number }}", "{{ rec.agency }}", "{{ rec.action }}", "{{ rec.due_on }}"],
               "rec in recommendations", [1.5, 4.0, 7.5, 3.0])
    tag(doc, "{%p else %}")
    para(doc, "The review makes no recommendations.")
    tag(doc, "{%p endif %}")
    heading(doc, "If you are not satisfied with the outcome")
    para(doc, "You can ask for the outcome to be looked at again by an independent chair. Please write to "
              "us within {{ appeal_within }}, that is by {{ appeal_by }}, saying why.")
    other_routes(doc)
    para(doc, SPOC)
    para(doc, CONTACT)
    sign_off(doc, "{{ chair_name }}", "Chair", signature_space=True)
    para(doc, "Approved on {{ approved_on }}", size=9, after=0)


@wording("Acknowledgement of an appeal")
def appeal_acknowledgement(doc) -> None:
    opening(doc, "Your appeal about your Community Trigger request")
    para(doc, "Thank you for your appeal, received on {{ lodged_on }}, against {{ against_words }}.")
    para(doc, "You told us: {{ grounds }}")
    para(doc, "An independent chair, who was not involved in the original decision, will consider your "
              "appeal. We will write to you with their decision by {{ decide_by }}.")
    para(doc, SPOC)
    para(doc, CONTACT)
    sign_off(doc)


@wording("Decision on an appeal")
def appeal_decision(doc) -> None:
    opening(doc, "The decision on your appeal")
    para(doc, "An independent chair, {{ independent_chair }}, has considered your appeal of {{ lodged_on }} "
              "against {{ against_words }}, and decided on {{ decided_on }}.")
    tag(doc, "{%p if upheld %}")
    para(doc, "Your appeal is upheld.", bold=True)
    tag(doc, "{%p if against_decision %}")
    para(doc, "We will make a fresh decision on whether your request meets the threshold for a review, "
              "and write to you by {{ next_due }}.")
    tag(doc, "{%p else %}")
    para(doc, "The review will be carried out again. We expect to complete it by {{ next_due }}.")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p else %}")
    para(doc, "Your appeal is not upheld. This decision is final within the Community Trigger process.",
         bold=True)
    tag(doc, "{%p endif %}")
    para(doc, "The reasons: {{ decision_reason }}")
    tag(doc, "{%p if not upheld %}")
    other_routes(doc)
    tag(doc, "{%p endif %}")
    para(doc, SPOC)
    para(doc, CONTACT)
    sign_off(doc)


@wording("The draft action plan, for your views")
def action_plan(doc) -> None:
    opening(doc, "Your Community Trigger review: the draft action plan")
    para(doc, "The review of your Community Trigger request has drafted its outcome. Before the chair of the "
              "{{ partnership.name }} approves it, we would like your views on the draft action plan below.")
    heading(doc, "Summary")
    para(doc, "{{ summary }}")
    heading(doc, "The draft action plan")
    tag(doc, "{%p if recommendations %}")
    loop_table(doc, ["No.", "Agency", "Action", "Due by"],
               ["{{ rec.number }}", "{{ rec.agency }}", "{{ rec.action }}", "{{ rec.due_on }}"],
               "rec in recommendations", [1.5, 4.0, 7.5, 3.0])
    tag(doc, "{%p else %}")
    para(doc, "The draft makes no recommendations to the agencies.")
    tag(doc, "{%p endif %}")
    heading(doc, "Your views")
    para(doc, "Please tell us what you think of the plan, whether it would make a difference to you, and "
              "anything it leaves out, by {{ reply_by }} ({{ reply_within }} from this letter). You can "
              "write, e-mail or phone your single point of contact. The chair reads your views beside the draft "
              "before approving it. If we have not heard from you by then, the chair will decide without them.")
    para(doc, SPOC)
    para(doc, CONTACT)
    sign_off(doc)


@wording("Confirmation that your request is withdrawn")
def withdrawal(doc) -> None:
    opening(doc, "Your Community Trigger request is withdrawn")
    para(doc, "As you asked, we have withdrawn your Community Trigger request, received on {{ received_on }}. "
              "It was withdrawn on {{ withdrawn_on }}.")
    tag(doc, "{%p if reason %}")
    para(doc, "We recorded the reason as: {{ reason }}")
    tag(doc, "{%p endif %}")
    para(doc, "We will take no further steps on this request. If the anti-social behaviour continues or "
              "starts again, you can make a new request at any time, and please keep reporting it to the "
              "police on 101 (999 in an emergency) or to the council.")
    para(doc, SPOC)
    para(doc, CONTACT)
    sign_off(doc)


@wording("Your Community Trigger case is closed")
def closure(doc) -> None:
    opening(doc, "Your Community Trigger case is closed")
    para(doc, "We closed the case of your Community Trigger request, received on {{ received_on }}, on "
              "{{ closed_on }}.")
    heading(doc, "Why it is closed")
    para(doc, "{{ reason }}")
    heading(doc, "What stays open")
    tag(doc, "{%p if still_open %}")
    para(doc, "The agencies are still carrying out these recommendations of the review, and the "
              "{{ partnership.name }} will keep following them up until each is done:", keep_with_next=True)
    loop_table(doc, ["No.", "Agency", "Action", "Due by"],
               ["{{ rec.number }}", "{{ rec.agency }}", "{{ rec.action }}", "{{ rec.due_on }}"],
               "rec in still_open", [1.5, 4.0, 7.5, 3.0])
    tag(doc, "{%p elif reviewed %}")
    para(doc, "Every recommendation of the review has been carried out; nothing stays open.")
    tag(doc, "{%p else %}")
    para(doc, "Nothing stays open on this request.")
    tag(doc, "{%p endif %}")
    para(doc, "If the anti-social behaviour continues, please keep reporting it to the police on 101 "
              "(999 in an emergency) or to the council. You can make a new Community Trigger request if it "
              "continues.")
    para(doc, SPOC)
    para(doc, CONTACT)
    sign_off(doc)


def _slim(doc) -> None:
    """Keep only the styles the letter uses and drop parts Word does not need.

    python-docx's blank document carries 164 styles (800 kB of XML); every letter would parse and
    write them all again. Word adds any style staff pick later.
    """
    for rel_id, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith(("/stylesWithEffects", "/customXml")):
            doc.part.drop_rel(rel_id)
    for rel_id, rel in list(doc.part.package.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            doc.part.package.rels.pop(rel_id)
    parts = [doc.element, *(section.footer._element for section in doc.sections)]
    wanted = {value for part in parts for value in
              part.xpath("//w:pStyle/@w:val | //w:rStyle/@w:val | //w:tblStyle/@w:val")}
    styles = doc.styles.element
    by_id = {style.get(qn("w:styleId")): style for style in styles.findall(qn("w:style"))}
    wanted |= {sid for sid, style in by_id.items() if style.get(qn("w:default")) == "1"}
    pending = list(wanted)
    while pending:  # what the wanted styles are based on, linked to, or followed by
        style = by_id.get(pending.pop())
        for link in style.xpath("w:basedOn/@w:val | w:link/@w:val | w:next/@w:val") if style is not None else []:
            if link not in wanted:
                wanted.add(link)
                pending.append(link)
    for sid, style in by_id.items():
        if sid not in wanted:
            styles.remove(style)


def build(kind: LetterKind) -> bytes:
    title, body = WORDING[kind.key]
    doc = _new_document(title)
    letterhead(doc)
    agency_reference = "Your reference: {{ agency_references }}" if kind.to_agency else ""
    addressee(doc, extra_reference=agency_reference)
    body(doc)
    _slim(doc)
    buffer = io.BytesIO()
    doc.save(buffer)
    return _reproducible(buffer.getvalue())


def _reproducible(data: bytes) -> bytes:
    """The same zip with fixed timestamps, so an unchanged letter rebuilds to identical bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(item.filename))
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=LETTERS, help=f"where to write (default {LETTERS})")
    args = parser.parse_args()
    keys = {kind.key for kind in LETTER_KINDS}
    unworded, stray = sorted(keys - set(WORDING)), sorted(set(WORDING) - keys)
    if unworded or stray:
        parser.error("the wording here and the registry of letter kinds disagree: "
                     f"no wording for {', '.join(unworded) or 'none'}; "
                     f"wording for no kind: {', '.join(stray) or 'none'}")
    args.out.mkdir(parents=True, exist_ok=True)
    for kind in LETTER_KINDS:
        path = args.out / kind.template
        path.write_bytes(build(kind))
        print(path)


if __name__ == "__main__":
    main()
