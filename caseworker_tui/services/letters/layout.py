"""A letter's PDF against GOV.UK Notify's precompiled-letter layout, read back with pypdf.

Notify prints a PDF only if every page is A4 portrait, everything printed sits inside its border,
and the recipient's address is in the address area of the first page, where the envelope's window
is. The measurements are the specification's, in millimetres from the page's top left corner.
A letter that fails would come back from Notify as `validation-failed`, days later; checked here it
is refused before it goes, and `caseworker letters check` tells a council whose own template fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MM = 72 / 25.4  # PDF points in a millimetre
A4_MM = (210.0, 297.0)
TOLERANCE_MM = 2.0  # Notify's own allowance for a page's size
BORDER_MM = (15.0, 5.0)  # nothing printed nearer the left and right edges, and the top and bottom, than this
ADDRESS_MM = (24.6, 39.5, 120.0, 66.3)  # left, top, right, bottom: the envelope's window
BODY_TOP_MM = 95.0  # on page one, below the address; above it only the logo and the sender's column
SENDER_LEFT_MM = 125.0  # the sender's column, beside the address, from the top to the body
LOGO_BOTTOM_MM = 30.0
CAP_MM = 2.5  # a line's letters rise this far above where it is printed (its baseline), at 10-11 pt


@dataclass(frozen=True)
class Line:
    """One line of text as printed: where it starts, in mm from the top left, and what it says."""

    page: int
    x: float
    y: float
    text: str


def lines(pdf: Path) -> list[Line]:
    """Every line of text in the PDF, by page, with its starting point."""
    from pypdf import PdfReader

    found: list[Line] = []
    for number, page in enumerate(PdfReader(str(pdf)).pages, start=1):
        height = float(page.mediabox.height)
        parts: dict[tuple[float, float], str] = {}

        def visit(text, cm, tm, font, size, parts=parts, height=height):
            if not text.strip():
                return
            x = (tm[4] * cm[0] + tm[5] * cm[2] + cm[4]) / MM
            y = (height - (tm[4] * cm[1] + tm[5] * cm[3] + cm[5])) / MM
            key = (round(y, 1), round(x, 1))
            parts[key] = parts.get(key, "") + text

        page.extract_text(visitor_text=visit)
        for (y, x), text in sorted(parts.items()):
            for piece in text.splitlines():
                if piece.strip():
                    found.append(Line(number, x, y, " ".join(piece.split())))
    return found


def address_block(pdf: Path) -> list[Line]:
    """The lines page one prints inside the address area: what the envelope's window shows."""
    return [line for line in lines(pdf) if line.page == 1 and _in_address(line)]


def problems(pdf: Path, address: list[str] | None = None) -> list[str]:
    """What stops Notify printing this PDF, in words; none when it would print. `address`, when
    given, are lines that must be in the address area (the recipient's name and postcode)."""
    from pypdf import PdfReader

    found: list[str] = []
    for number, page in enumerate(PdfReader(str(pdf)).pages, start=1):
        width, height = float(page.mediabox.width) / MM, float(page.mediabox.height) / MM
        turned = (page.get("/Rotate") or 0) % 180 != 0
        if turned or abs(width - A4_MM[0]) > TOLERANCE_MM or abs(height - A4_MM[1]) > TOLERANCE_MM:
            found.append(f"page {number} is {width:.0f} x {height:.0f} mm{' turned' if turned else ''}; "
                         "Notify prints A4 portrait only (210 x 297 mm)")
    if found:
        return found
    text = lines(pdf)
    side, edge = BORDER_MM
    stray: list[str] = []
    for line in text:
        if not (side - 1 <= line.x <= A4_MM[0] - side and edge <= line.y <= A4_MM[1] - edge):
            found.append(f"page {line.page}: {line.text[:40]!r} is printed {line.x:.0f} mm from the left and "
                         f"{line.y:.0f} mm from the top, outside Notify's border ({side:g} mm each side, {edge:g} mm "
                         "top and bottom)")
        elif line.page == 1 and _in_keep_clear(line):
            stray.append(f"page 1: {line.text[:40]!r}, {line.x:.0f} mm from the left and {line.y:.0f} mm from the top, "
                         f"is where Notify prints only the address (left of {SENDER_LEFT_MM:g} mm, "
                         f"{LOGO_BOTTOM_MM:g}-{BODY_TOP_MM:g} mm from the top)")
    block = [line.text for line in address_block(pdf)]
    for wanted in address or []:
        if wanted.strip() and not any(wanted.casefold() in line.casefold() for line in block):
            found.append(f"{wanted!r} is not in Notify's address area on page 1 (24.6-120 mm from the left, "
                         "39.5-66.3 mm from the top)")
    if len(block) < 3:
        found.append(f"page 1 has {len(block)} line(s) in Notify's address area (24.6-120 mm from the left, "
                     "39.5-66.3 mm from the top); the address needs at least 3, its postcode last")
    return found + stray


def _in_address(line: Line) -> bool:
    left, top, right, bottom = ADDRESS_MM
    return left - 0.5 <= line.x <= right and top + CAP_MM <= line.y <= bottom


def _in_keep_clear(line: Line) -> bool:
    """Page one's band beside and around the address, where only the address may be printed."""
    return LOGO_BOTTOM_MM <= line.y < BODY_TOP_MM and line.x < SENDER_LEFT_MM and not _in_address(line)


# A recipient with a long address: if this fits the window, a real one does.
SAMPLE_NAME = "Alexandra Catherine Sample-Whitworth"
SAMPLE_ADDRESS = ["Flat 12, Riverside Court", "145 Long Meadow Road", "Westcotes", "Leicester", "LE3 0AB"]


def templates_layout_problems(templates: list[Path], work_dir: Path) -> list[list[str]]:
    """Render each template for a sample recipient (every other field left empty), make their PDFs
    (in one LibreOffice run) and measure each against Notify's layout; one list of problems per
    template. Needs LibreOffice (`pdf.PdfUnavailable` without it)."""
    from caseworker_tui.services.letters.pdf import to_pdfs

    work_dir.mkdir(parents=True, exist_ok=True)
    samples = [_sample(template, work_dir / f"{n}-{template.stem}.docx") for n, template in enumerate(templates)]
    pdfs = to_pdfs(samples) if samples else []
    return [[f"{template.name}: {problem}" for problem in problems(pdf, [SAMPLE_NAME, SAMPLE_ADDRESS[-1]])]
            for template, pdf in zip(templates, pdfs, strict=True)]


def _sample(template: Path, target: Path) -> Path:
    from docxtpl import DocxTemplate
    from jinja2 import ChainableUndefined
    from jinja2.sandbox import SandboxedEnvironment

    from caseworker_tui.services import clock, context

    partnership = context.policy().partnership
    values = {
        "partnership": {"name": partnership.name, "address": "\n".join(partnership.address),
                        "phone": partnership.phone, "email": partnership.email, "website": partnership.website},
        "recipient": {"name": SAMPLE_NAME, "address": "\n".join(SAMPLE_ADDRESS)},
        "reference": "CT-2026-0001", "letter_date": f"{clock.today():%d %B %Y}", "salutation": f"Dear {SAMPLE_NAME}",
    }
    tpl = DocxTemplate(str(template))
    tpl.render(values, jinja_env=SandboxedEnvironment(undefined=ChainableUndefined), autoescape=True)
    tpl.save(str(target))
    return target
