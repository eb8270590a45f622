"""A letter's PDF, made by LibreOffice from its Word document, read back with pypdf, on both databases.

LibreOffice is a real part here: CI installs it (`.ci/run`) and sets CASEWORKER_REQUIRE_LIBREOFFICE=1,
which turns a missing converter into a failure; elsewhere these tests are skipped without it.
"""

from __future__ import annotations

import os
import stat
import threading
import time
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from caseworker_tui.errors import PermissionDenied
from caseworker_tui.services import context, intake, letters
from caseworker_tui.services.application import parse_application
from caseworker_tui.services.letters import layout, pdf
from tests.factories import meets_rule_a

A4 = (595.3, 841.9)  # points


def require_libreoffice() -> None:
    """Skip without LibreOffice; fail instead where CI has promised it."""
    if pdf.converter() is None:
        message = f"LibreOffice is not installed (apt-get install {pdf.INSTALL})"
        if os.environ.get("CASEWORKER_REQUIRE_LIBREOFFICE") == "1":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def libreoffice() -> None:
    require_libreoffice()


def _letter(users, tmp_path, **applicant) -> letters.ProducedLetter:
    data = meets_rule_a()
    data["applicant"].update(applicant)
    case_id = intake.create_request(parse_application(data, context.policy()), users["casey"]).id
    return letters.produce(case_id, "acknowledgement", users["casey"], tmp_path / "out")


def _text(path: str) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_the_pdf_says_what_the_letter_says_on_a4_portrait_and_is_tagged(users, tmp_path, libreoffice):
    produced = _letter(users, tmp_path)
    made = letters.make_pdf(produced.id, users["casey"])
    assert made.pdf_path == str(Path(produced.path).with_suffix(".pdf"))
    assert letters.get_letter(produced.id).pdf_path == made.pdf_path
    text = " ".join(_text(made.pdf_path).split())
    assert "Dear Ann Lee," in text and "Our reference: CT-2026-0001" in text
    assert "Safer Leicester Partnership" in text and "{{" not in text
    assert layout.problems(made.pdf_path, ["Ann Lee", "LE1 1AA"]) == []  # GOV.UK Notify would print it
    reader = PdfReader(made.pdf_path)
    for page in reader.pages:
        box = page.mediabox
        assert (round(float(box.width), 1), round(float(box.height), 1)) == A4
        assert page.rotation == 0
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root  # tagged for screen readers
    left = sorted(p.name for p in Path(produced.path).parent.iterdir())
    assert left == ["CT-2026-0001_acknowledgement_v1.docx", "CT-2026-0001_acknowledgement_v1.pdf"]  # no scratch


def test_large_print_letters_stay_large_in_the_pdf(users, tmp_path, libreoffice):
    produced = _letter(users, tmp_path, needs=["large_print"])
    assert produced.large_print
    made = letters.make_pdf(produced.id, users["casey"])
    assert "Dear Ann Lee," in _text(made.pdf_path)
    assert len(PdfReader(made.pdf_path).pages) > 1  # the same words at 16 pt and more take more pages


def test_the_pdf_is_made_again_only_when_the_word_letter_changed(users, tmp_path, libreoffice):
    produced = _letter(users, tmp_path)
    first = letters.make_pdf(produced.id, users["casey"])
    made_at = Path(first.pdf_path).stat().st_mtime_ns
    assert letters.make_pdf(produced.id, users["casey"]).pdf_path == first.pdf_path
    assert Path(first.pdf_path).stat().st_mtime_ns == made_at
    document = Document(produced.path)  # staff add a line in Word before it goes
    document.add_paragraph("PS: the meeting room has step-free access.")
    document.save(produced.path)
    later = time.time() + 2
    os.utime(produced.path, (later, later))
    again = letters.make_pdf(produced.id, users["casey"])
    assert "step-free access" in _text(again.pdf_path)


def test_two_conversions_at_once_both_finish(users, tmp_path, libreoffice):
    """Each run has a profile of its own; a shared one makes the second LibreOffice refuse to start."""
    one = _letter(users, tmp_path)
    two = letters.produce(one.case_id, "acknowledgement", users["casey"], tmp_path / "out")
    made: dict[int, Path] = {}

    def convert(letter) -> None:
        made[letter.id] = pdf.to_pdf(Path(letter.path))

    threads = [threading.Thread(target=convert, args=(x,)) for x in (one, two)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert sorted(made) == sorted([one.id, two.id])
    assert all("Dear Ann Lee," in _text(str(path)) for path in made.values())


def test_without_libreoffice_one_message_says_what_to_install_and_the_word_letter_stands(users, tmp_path,
                                                                                          monkeypatch):
    produced = _letter(users, tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(letters.PdfUnavailable) as caught:
        letters.make_pdf(produced.id, users["casey"])
    assert "libreoffice-writer-nogui" in str(caught.value) and "\n" not in str(caught.value)
    assert letters.get_letter(produced.id).pdf_path is None
    assert "Dear Ann Lee," in "\n".join(p.text for p in Document(produced.path).paragraphs)


def test_a_converter_that_hangs_is_stopped_and_nothing_is_kept(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "soffice"
    fake.write_text("#!/bin/sh\nsleep 60 &\nwait\n", encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    docx = tmp_path / "letter.docx"
    docx.write_bytes(letters.template_path("acknowledgement").read_bytes())
    started = time.monotonic()
    with pytest.raises(letters.PdfFailed, match="took more than 1 seconds"):
        pdf.to_pdf(docx, timeout=1)
    assert time.monotonic() - started < 10  # the sleeping child went with its group
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin", "letter.docx"]


def test_a_document_libreoffice_cannot_load_is_a_clear_error(tmp_path, libreoffice):
    gone = tmp_path / "gone.docx"  # a letter deleted as the conversion starts
    with pytest.raises(letters.PdfFailed, match="made no PDF of gone.docx: .*could not be loaded"):
        pdf.to_pdf(gone)


def test_only_those_who_produce_letters_make_their_pdfs(users, tmp_path):
    produced = _letter(users, tmp_path)
    with pytest.raises(PermissionDenied):
        letters.make_pdf(produced.id, users["ada"])
