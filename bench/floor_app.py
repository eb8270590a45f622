"""The floors: the least a Textual app can do to show what the caseworker app shows, timed like it.

`python bench/floor_app.py` is the start-up floor: a bare app that paints a 200-row DataTable
headless and exits after that first paint. It prints one JSON line: the moment of the paint on
the machine's monotonic clock (which the harness shares, so it can count from the spawn), and
the peak RSS.

`python bench/floor_app.py --felt --home queue|deadlines|approvals` is the felt floor, run in a
real terminal for bench/felt.py to drive with keys: a 40-row list; Enter pushes a case (a header
line, six tabs and a 30-row table); `n` pushes a 12-field form; Esc pops; F3, F4, F6 and F7
switch between four simple screens, each a Textual mode. Nothing is read from anywhere: whatever
the app takes beyond this for the same key is ours to answer for, this much is Textual's and
Python's. It shows the words the app shows where the harness looks for them (the titles, the
pager's line, the case header, the approvals pane), so both are waited for on the same marks.
"""

from __future__ import annotations

import json
import sys
import time

from peak_rss import peak_rss_kb  # beside this script
from textual import widgets
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

# Only what the start-up floor has always imported is imported here. The felt floor's other
# widgets come through `widgets.Name`, loaded on first use, so the start-up floor stays the floor
# bench/measure.py has always timed.

COLUMNS = ("Reference", "Received", "Applicant", "Stage", "Next step", "Due", "Risk", "Assigned to")
QUEUE_ROWS = 40
CASE_ROWS = 30
APPROVAL_ROWS = 10
TABS = ("Timeline", "Eligibility", "Applicant", "Progress", "Letters", "Audit")
FIELDS = ("Name *", "Address", "Postcode", "Phone", "E-mail", "Preferred contact *",
          "Applying on behalf of (victim's name)", "Advocate", "Vulnerabilities", "Needs (comma-separated)",
          "Why", "Occurred on *")


def reference(n: int) -> str:
    return f"CT-2026-{n:04d}"


# --- the start-up floor ------------------------------------------------------------------------

class FloorApp(App[None]):
    """Paints one table and exits: what start-up costs before any of the app's own work."""

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


# --- the felt floor ----------------------------------------------------------------------------

def _table(columns: tuple[str, ...], rows: list[tuple[str, ...]], **kwargs) -> DataTable:
    table = DataTable(cursor_type="row", zebra_stripes=True, **kwargs)
    table.add_columns(*columns)
    table.add_rows(rows)
    return table


class QueueScreen(Screen[None]):
    """The intake queue's shape: a list of cases and its pager's line."""

    CSS = "QueueScreen DataTable { height: 1fr; }"  # the pager's line below it, as in the app
    BINDINGS = [Binding("n", "new_request", "New request")]

    def compose(self) -> ComposeResult:
        yield widgets.Header()
        yield _table(COLUMNS, [(reference(n), "24 Nov", f"Applicant {n}", "Acknowledged", "Decide",
                                f"{n % 14} days left", "std 2", "Casey M.") for n in range(1, QUEUE_ROWS + 1)])
        yield Static(f"Page 1 of 1 · showing 1–{QUEUE_ROWS} of {QUEUE_ROWS} open requests", markup=False)
        yield widgets.Footer()

    def on_mount(self) -> None:
        self.title = "Intake queue"

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.app.push_screen(CaseScreen(event.cursor_row + 1))

    def action_new_request(self) -> None:
        self.app.push_screen(FormScreen())


class CaseScreen(Screen[None]):
    """A case's shape: the header line, six tabs, the timeline's table."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n

    def compose(self) -> ComposeResult:
        yield widgets.Header()
        yield Static(f"{reference(self.n)}  ·  Applicant {self.n}  ·  Stage: Acknowledged  ·  Assigned to: Casey Morgan",
                     markup=False)
        with widgets.TabbedContent():
            for n, name in enumerate(TABS):
                with widgets.TabPane(name):
                    if n == 0:
                        yield _table(("When", "What"), [(f"{day:02d} Oct 2026", f"Event {day} on the case")
                                                        for day in range(1, CASE_ROWS + 1)])
                    else:
                        yield Static(f"{name} of the case", markup=False)
        yield widgets.Footer()

    def on_mount(self) -> None:
        self.title = f"Case {reference(self.n)}"


class FormScreen(Screen[None]):
    """The new-request form's shape: labelled fields two to a row, the first one focused."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def compose(self) -> ComposeResult:
        yield widgets.Header()
        with VerticalScroll():
            for left, right in zip(FIELDS[::2], FIELDS[1::2], strict=True):
                with Horizontal(classes="row"):
                    for label in (left, right):
                        with Vertical(classes="field"):
                            yield widgets.Label(label)
                            yield Input()
        yield widgets.Footer()

    def on_mount(self) -> None:
        self.title = "New request"
        self.query_one(Input).focus()


class DeadlinesScreen(Screen[None]):
    def compose(self) -> ComposeResult:
        yield widgets.Header()
        yield Static("Open steps — Overdue 3 · Due this week 12 · Later 25", markup=False)
        yield _table(("Due", "Reference", "Step", "Assigned to"),
                     [(f"{n % 28 + 1:02d} Dec", reference(n), "Acknowledge", "Casey M.") for n in range(1, 31)])
        yield widgets.Footer()

    def on_mount(self) -> None:
        self.title = "Deadlines"


class ApprovalsScreen(Screen[None]):
    """Outcomes in a list, the one under the cursor shown in the pane beside."""

    CSS = "ApprovalsScreen DataTable { height: auto; max-height: 12; } ApprovalsScreen .pane { width: 1fr; }"

    def compose(self) -> ComposeResult:
        yield widgets.Header()
        yield Static(f"{APPROVAL_ROWS} outcomes waiting for your approval, the longest waiting first", markup=False)
        yield _table(("Reference", "Applicant", "Submitted by"),
                     [(reference(100 + n), f"Applicant {100 + n}", "Casey Morgan") for n in range(1, APPROVAL_ROWS + 1)])
        with Horizontal():
            with VerticalScroll(classes="pane"):
                yield Static("", id="case-pane", markup=False)
            with VerticalScroll(classes="pane"):
                yield Static("", id="draft-pane", markup=False)
        yield widgets.Footer()

    def on_mount(self) -> None:
        self.title = "Approvals"

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        n = 100 + event.cursor_row + 1
        self.query_one("#case-pane", Static).update(f"{reference(n)}  ·  Applicant {n}")
        self.query_one("#draft-pane", Static).update(f"Submitted by Casey Morgan\n\nThe draft outcome for case {n}.")


class FiguresScreen(Screen[None]):
    def compose(self) -> ComposeResult:
        yield widgets.Header()
        yield Static("Requests received 01 Apr 2025 to 31 Mar 2026 · as at 25 Nov 2026", markup=False)
        yield _table(("Measure", "Number"), [(f"Measure {n}", str(n * 7)) for n in range(1, 21)])
        yield widgets.Footer()

    def on_mount(self) -> None:
        self.title = "Public figures · Floor"


class FeltFloorApp(App[None]):
    """Four home screens as modes, switched by the app's F-keys; the home one shown first."""

    CSS = ".row { height: auto; } .field { height: auto; width: 1fr; margin-right: 1; }"
    MODES = {"queue": QueueScreen, "deadlines": DeadlinesScreen, "approvals": ApprovalsScreen, "stats": FiguresScreen}
    BINDINGS = [
        Binding("f3", "go('queue')", "Queue"),
        Binding("f4", "go('deadlines')", "Deadlines"),
        Binding("f6", "go('approvals')", "Approvals"),
        Binding("f7", "go('stats')", "Figures"),
    ]

    def __init__(self, home: str) -> None:
        super().__init__()
        self.home = home

    def on_mount(self) -> None:
        self.switch_mode(self.home)

    def action_go(self, name: str) -> None:
        self.switch_mode(name)
        while len(self.screen_stack) > 1:
            self.pop_screen()


def felt(argv: list[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="The felt floor, in this terminal, until Ctrl+Q.")
    parser.add_argument("--felt", action="store_true")
    parser.add_argument("--home", choices=list(FeltFloorApp.MODES)[:3], default="queue")
    FeltFloorApp(parser.parse_args(argv).home).run()


def main() -> None:
    if "--felt" in sys.argv[1:]:
        felt(sys.argv[1:])
        return
    app = FloorApp()
    app.run(headless=True, size=(120, 40))
    print(json.dumps({"painted_at": app.painted_at, "maxrss_kb": peak_rss_kb()}))


if __name__ == "__main__":
    main()
