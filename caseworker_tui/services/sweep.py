"""Files the database has let go of, deleted for certain: `file_sweep` lists each one in the
transaction that lets it go, and a sweep deletes the file, then the row.

Two kinds of row. One with no owner is a file nothing records any more (a letter of an anonymised
case): deleted by the next sweep. One with an owner (`host:pid`) is a letter being written: its row
goes in the same transaction that records the letter, so a row still there when its owner has died
means the owner was killed in between, and the file it may have left is no letter. It is deleted
once its owner is gone (or a day has passed, for an owner on another host).
"""

from __future__ import annotations

import os
import socket
from datetime import timedelta
from pathlib import Path

from caseworker_tui.models import FileSweep
from caseworker_tui.services import clock
from caseworker_tui.services.unit import reading, transaction

BATCH = 500
FORGOTTEN_OWNER_AFTER = timedelta(days=1)


def owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def alive(pid: int) -> bool:
    """Whether a process of this machine with this id still runs (one we may not signal does)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _sweepable(row: FileSweep) -> bool:
    if not row.owner:
        return True
    host, _, pid = row.owner.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        return int(pid) != os.getpid() and not alive(int(pid))
    return clock.now() - row.recorded_at > FORGOTTEN_OWNER_AFTER


def sweep_files() -> int:
    """Delete every file the sweep may; returns how many existed. Each row goes once its file is
    gone, so a kill mid-way leaves only rows still to do, which the next sweep does."""
    deleted, after = 0, 0
    while True:
        with reading():
            rows = list(FileSweep.select().where(FileSweep.id > after).order_by(FileSweep.id).limit(BATCH))
        if not rows:
            return deleted
        after = rows[-1].id
        done = [row for row in rows if _sweepable(row)]
        for row in done:
            file = Path(row.path)
            if file.is_file():
                file.unlink()
                deleted += 1
        if done:
            with transaction():
                FileSweep.delete().where(FileSweep.id.in_([r.id for r in done])).execute()
