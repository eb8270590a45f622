"""The day's post: every letter put in the post on a day, as one PDF to print and a list to check the
envelopes against, in the output folder."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from caseworker_tui.models import Applicant, Letter
from caseworker_tui.services import clock
from caseworker_tui.services.letters.kinds import BY_KEY
from caseworker_tui.services.letters.pdf import merge_pdfs
from caseworker_tui.services.unit import reading

if TYPE_CHECKING:
    from caseworker_tui.config import Settings


@dataclass(frozen=True)
class PrintPack:
    """The day's post: one PDF to print and a list to check the envelopes against."""

    on: date
    pdf: Path
    listing: Path
    letters: int


def print_pack(settings: Settings, on: date | None = None) -> PrintPack:
    """Every letter put in the post on `on` (today), as one PDF to print and a list, in the output folder.

    Made again whole each time a letter joins, so the files are always the day's post so far."""
    on = on or clock.today()
    with reading():
        rows = list(Letter.select().where((Letter.sent_via == "print_pack") & (Letter.sent_on == on))
                    .order_by(Letter.sent_at, Letter.id))
        people = {p.case_id: p for p in Applicant.select().where(Applicant.case.in_([r.case_id for r in rows]))}
        references = {r.id: r.case.reference for r in rows}
    out = Path(settings.output_dir).expanduser()
    out.mkdir(parents=True, exist_ok=True)
    pdf = out / f"print-pack-{on.isoformat()}.pdf"
    pages = merge_pdfs([Path(r.pdf_path) for r in rows], pdf)
    listing = out / f"print-pack-{on.isoformat()}.csv"
    text = io.StringIO()
    table = csv.writer(text)
    table.writerow(["reference", "letter", "version", "to", "address", "postcode", "pages", "first page"])
    first = 1
    for row, count in zip(rows, pages, strict=True):
        person = people.get(row.case_id)
        to_agency = BY_KEY[row.kind].to_agency if row.kind in BY_KEY else False
        table.writerow([references[row.id], row.kind, row.version_no, row.recipient,
                        "" if to_agency or person is None else " ".join(person.address.split()),
                        "" if to_agency or person is None else person.postcode, count, first])
        first += count + count % 2  # each letter starts on a fresh sheet (see merge_pdfs)
    _write_whole(listing, text.getvalue().encode("utf-8"))
    return PrintPack(on, pdf, listing, len(rows))


def _write_whole(path: Path, data: bytes) -> None:
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as tmp:
        tmp.write(data)
    os.replace(tmp.name, path)
