"""The floor: the least a Textual app can do to show a table, timed like the probe.

A bare app that paints a 200-row DataTable and exits after that first paint. Whatever the
caseworker app spends beyond this is ours to answer for; this much is Textual's and Python's.
Prints one JSON line: the moment of the paint on the machine's monotonic clock (which the harness
shares, so it can count from the spawn), and the peak RSS.
"""

import json
import time

from peak_rss import peak_rss_kb  # beside this script
from textual.app import App, ComposeResult
from textual.widgets import DataTable

COLUMNS = ("Reference", "Received", "Applicant", "Stage", "Next step", "Due", "Risk", "Assigned to")


class FloorApp(App[None]):
    painted_at: float | None = None

    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        table.add_rows([(f"CT-2026-{n:05d}", "24 Nov", f"Applicant {n}", "Acknowledged", "Decide",
                         f"{n % 14} days left", "std 2", "Casey M.") for n in range(200)])
        self.call_after_refresh(self.first_page_painted)

    def first_page_painted(self) -> None:
        self.painted_at = time.monotonic()
        self.exit()


if __name__ == "__main__":
    app = FloorApp()
    app.run(headless=True, size=(120, 40))
    print(json.dumps({"painted_at": app.painted_at,
                      "maxrss_kb": peak_rss_kb()}))
