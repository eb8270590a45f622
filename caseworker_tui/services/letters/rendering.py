"""Turning a letter's context into a Word document, and a kept letter back into plain text.

docxtpl, jinja2 and python-docx are imported where they are used: together they cost about
0.3 s, which nobody should pay to open the app.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from caseworker_tui.errors import NotFound
from caseworker_tui.services.found import letter_by_id
from caseworker_tui.services.letters.contexts import LetterContext
from caseworker_tui.services.letters.templates import (
    LetterTemplateError,
    environment,
    template_problems,
)
from caseworker_tui.services.unit import reading

LARGE_PRINT_PT = 16
# Page one's head keeps its size in large print: the address must fit the envelope's window (and
# GOV.UK Notify's address area), the letterhead the column beside it. The body is what is read.
KEEP_SIZE_STYLES = ("Letterhead", "LetterAddress")

# A template's problems, by its file's identity: checked once per edit, not once per letter.
_checked: dict[tuple, list[str]] = {}


def _require_sound(kind: str, path: Path) -> None:
    stat = path.stat()
    key = (kind, str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _checked:
        _checked[key] = template_problems(kind, path)
    if _checked[key]:
        raise LetterTemplateError("; ".join(_checked[key]))


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
            if p_style in KEEP_SIZE_STYLES:
                continue
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
        tpl.render(values, jinja_env=environment(), autoescape=True)
    except TemplateError as exc:
        raise LetterTemplateError(f"{template.name}: {exc}") from None
    if large_print:
        _enlarge(tpl.docx)
    buffer = io.BytesIO()
    tpl.save(buffer)
    return buffer.getvalue()


def _is_head(table) -> bool:
    """Page one's head: a layout table holding the letterhead and the address, not a table of facts."""
    return any(p.style is not None and p.style.style_id in KEEP_SIZE_STYLES
               for cell in table._cells for p in cell.paragraphs)


def _head_lines(table) -> list[str]:
    """The head read as a person reads the page: the sender's column, then the address, each cell once."""
    cells = list({cell._tc: cell for cell in table._cells if cell.text.strip()}.values())
    cells.sort(key=lambda cell: not any(p.style is not None and p.style.style_id == "Letterhead" for p in cell.paragraphs))
    return [cell.text for cell in cells] + [""]


def letter_text(letter_id: int) -> str:
    """The letter's words as plain text, paragraph by paragraph, tables as rows, for a preview."""
    with reading():
        row = letter_by_id(letter_id)
    try:
        return document_text(Path(row.path).read_bytes())
    except Exception:  # noqa: BLE001 - missing, moved or damaged: the same answer for a user
        raise NotFound(f"the letter file {row.path} is missing or cannot be read") from None


def document_text(data: bytes) -> str:
    """A .docx's words as plain text: paragraphs, and each table row as its cells joined by |."""
    from docx import Document
    from docx.table import Table

    document = Document(io.BytesIO(data))
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table) and _is_head(block):
            lines += _head_lines(block)
        elif isinstance(block, Table):
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
