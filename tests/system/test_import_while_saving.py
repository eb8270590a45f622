"""A long import while other desks save, each in a real process: no save fails, on either database.

On SQLite an import used to hold the one write lock for the whole file, so every other desk's
save failed with "database is locked" after ten seconds; it is now staged aside and moved in at
once, and a desk still waiting is asked again. The benchmark (`python -m bench import-load`) runs
the same at 100,000 applications; here it is small enough for the suite.
"""

from __future__ import annotations

from bench.import_load import run
from caseworker_tui.models import Case, db

SIZE = 2_000


def test_desks_saving_during_a_long_import_never_fail(database_url):
    figures = run(database_url, SIZE, desks=3)

    assert figures["import_error"] is None and figures["imported"] == SIZE
    assert figures["saves"] > 0 and figures["failed"] == 0, figures["errors"]
    with db.connection_context():
        assert Case.select().count() == SIZE + 3
        references = [c.reference for c in Case.select(Case.reference)]
    assert len(set(references)) == len(references)
