"""Files of personal data the app writes (backups, exports, subject-access answers): its owner's alone.

Created 0600 from the start, never made and then narrowed, so no other account on the machine
can open one in between; a folder the app makes for them is 0700.
"""

from __future__ import annotations

import os
from pathlib import Path

OWNER_ONLY = 0o600


def make_folder(folder: Path) -> None:
    """`folder` and any missing parents; the folder itself, when new, for its owner alone."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)


def create(path: Path) -> int:
    """A new file at `path`, open for writing; FileExistsError if there is one."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY)


def write_text(path: Path, text: str) -> None:
    """Write `text` to `path` in UTF-8 as it is (no newline translation), replacing a file there,
    which is made the owner's alone if it was not."""
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, OWNER_ONLY)
    with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
        if hasattr(os, "fchmod"):  # not on Windows, where the mode bits mean little
            os.fchmod(out.fileno(), OWNER_ONLY)
        out.write(text)
