"""Handing a file the app produced (a letter) to the person at the desk, wherever the desk is.

In a terminal the file is already on the person's machine, so the app says where it is, and opens
it in the desktop's program when asked. In a browser (`caseworker serve`) the file is on the
server, out of the person's reach, so it is sent to the browser as a download.
"""

from __future__ import annotations

import mimetypes
import os
import shutil
import subprocess
import sys
from pathlib import Path

from textual.app import App

OPENER_WAIT = 10  # seconds an opener may take to hand the file over before it is taken to be opening
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def offer_file(app: App, path: Path) -> str | None:
    """Download `path` in the browser, or say where it was saved; the delivery key, if sent."""
    path = Path(path)
    if not path.is_file():
        app.notify(f"{path} is not there any more; produce the letter again.", title="Not sent",
                   severity="error", markup=False)
        return None
    if not app.is_web:
        app.notify(f"Saved to {path}", title=path.name, markup=False)  # a folder may be named [x]
        return None
    mime_type = DOCX if path.suffix.lower() == ".docx" else mimetypes.guess_type(path.name)[0]
    key = app.deliver_binary(path, mime_type=mime_type, name=path.name)
    app.notify("Your browser is downloading it.", title=path.name)
    return key


def desktop_opener() -> list[str] | None:
    """The command that opens a file in the program the desktop chose for it, if this computer has one."""
    if sys.platform == "win32":
        return []  # os.startfile, no command
    found = shutil.which("open" if sys.platform == "darwin" else "xdg-open")
    return [found] if found else None


def open_file(app: App, path: Path) -> None:
    """Open `path` in the desktop's own program (Word, say); in a browser, download it instead.

    The opener runs in a worker with its output kept off the terminal (it would scribble over the
    screen), and a failure, or no program at all, is said plainly with where the file is."""
    path = Path(path)
    if app.is_web or not path.is_file():
        offer_file(app, path)
        return
    command = desktop_opener()
    if command is None:
        app.notify(f"This computer has no program set to open letters (xdg-open). The letter is at {path}",
                   title=path.name, severity="warning", timeout=10)
        return
    app.run_worker(lambda: _open(app, command, path), thread=True, group="open-file", exit_on_error=False)


def _open(app: App, command: list[str], path: Path) -> None:
    try:
        if not command:
            os.startfile(path)  # type: ignore[attr-defined] - Windows only
            result = 0
        else:
            result = subprocess.run([*command, str(path)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, timeout=OPENER_WAIT, check=False).returncode
    except subprocess.TimeoutExpired:
        result = 0  # still starting the program: it is opening
    except OSError as exc:
        app.call_from_thread(app.notify, f"Could not open it ({exc.strerror}). The letter is at {path}",
                             title=path.name, severity="warning", timeout=10)
        return
    if result:
        app.call_from_thread(app.notify, f"The desktop could not open it. The letter is at {path}",
                             title=path.name, severity="warning", timeout=10)
    else:
        app.call_from_thread(app.notify, "Opened in the desktop's program for it.", title=path.name)
