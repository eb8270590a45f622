"""Handing a file the app produced (a letter) to the person at the desk, wherever the desk is.

In a terminal the file is already on the person's machine, so the app says where it is. In a
browser (`caseworker serve`) the file is on the server, out of the person's reach, so it is sent
to the browser as a download.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from textual.app import App

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
