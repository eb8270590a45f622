"""A PDF of a letter, made from its Word document by LibreOffice running headless.

The applicant and the agencies are sent the PDF: it looks the same on every device and, tagged,
a screen reader can follow its headings, table and reading order. Each conversion gets a profile
of its own, because two LibreOffice processes sharing one refuse to start or hand each other
their work; and a time limit, after which the whole process group goes.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from caseworker_tui.errors import CaseworkerError

# What to install, in the words of the one message a missing converter gives.
INSTALL = "libreoffice-writer-nogui"
CONVERTERS = ("soffice", "libreoffice")
TIMEOUT_SECONDS = 120.0
# LibreOffice's PDF export, tagged for accessibility (structure, reading order, alternative text).
EXPORT_FILTER = "pdf:writer_pdf_Export:" + json.dumps({"UseTaggedPDF": {"type": "boolean", "value": "true"}})


class PdfUnavailable(CaseworkerError):
    """No converter is installed: the Word letter stands, but no PDF can be made of it."""


class PdfFailed(CaseworkerError):
    """The converter ran but made no PDF, or took too long."""


def converter() -> str | None:
    """The LibreOffice program on PATH, or None."""
    return next((found for name in CONVERTERS if (found := shutil.which(name))), None)


def missing_message() -> str:
    return (f"No PDF can be made: LibreOffice is not installed. Install {INSTALL} "
            f"(on Debian or Ubuntu: apt-get install {INSTALL}); the Word letter is kept and can be printed from Word.")


def to_pdf(docx: Path, timeout: float = TIMEOUT_SECONDS) -> Path:
    """Write `docx`'s PDF beside it (same name, .pdf), replacing an older one whole, and return its path."""
    return to_pdfs([docx], timeout)[0]


def to_pdfs(documents: list[Path], timeout: float = TIMEOUT_SECONDS) -> list[Path]:
    """Each document's PDF beside it, made by one LibreOffice run (its start is most of the time a
    conversion takes); in the order given."""
    program = converter()
    if program is None:
        raise PdfUnavailable(missing_message())
    documents = [Path(d).resolve() for d in documents]
    folder = documents[0].parent
    with tempfile.TemporaryDirectory(prefix=".pdf-", dir=folder) as work:
        work_dir = Path(work)
        command = [program, f"-env:UserInstallation={(work_dir / 'profile').as_uri()}", "--headless",
                   "--norestore", "--nolockcheck", "--convert-to", EXPORT_FILTER, "--outdir", str(work_dir / "out"),
                   *map(str, documents)]
        said = _run(command, timeout * len(documents), ", ".join(d.name for d in documents))
        made = []
        for docx in documents:
            result = work_dir / "out" / docx.with_suffix(".pdf").name
            if not result.is_file() or result.stat().st_size == 0:
                raise PdfFailed(f"LibreOffice made no PDF of {docx.name}: {said or 'it gave no reason'}")
            os.replace(result, docx.with_suffix(".pdf"))
            made.append(docx.with_suffix(".pdf"))
    return made


def _run(command: list[str], timeout: float, name: str) -> str:
    """Run the converter in a process group of its own, so that a timeout ends all of it."""
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise PdfFailed(f"LibreOffice took more than {timeout:g} seconds to make a PDF of {name}; nothing was kept") from None
    lines = [line for line in output.splitlines() if line.strip() and "javaldx" not in line]
    return " ".join(lines)[-300:]


def merge_pdfs(sources: list[Path], target: Path) -> list[int]:
    """Join `sources` into `target`, each starting on a fresh sheet when printed on both sides (a blank
    page follows one of an odd number of pages); return each source's own page count."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    counts = []
    for source in sources:
        if not source.is_file():
            raise PdfFailed(f"The letter's PDF {source} is missing; make it again before printing")
        before = len(writer.pages)
        writer.append(str(source))
        count = len(writer.pages) - before
        counts.append(count)
        if count % 2:
            last = writer.pages[-1].mediabox
            writer.add_blank_page(width=last.width, height=last.height)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, prefix=f".{target.name}.", delete=False) as tmp:
        writer.write(tmp)
    os.replace(tmp.name, target)
    return counts
