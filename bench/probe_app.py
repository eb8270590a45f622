"""The start-up probe: the real app, headless, until the intake queue first shows its rows.

Run in a fresh process by the harness: `python bench/probe_app.py DATABASE_URL`. Binds the
database, names the policy, runs the app signed in as a caseworker (whose home screen is the
queue; a supervisor's is the deadlines view), and exits from the app's `first_page_painted`
hook. Prints one JSON line: the moment of the paint on the machine's monotonic clock (which the
harness shares, so it can count from the spawn), and the process's peak RSS (a high-water mark,
read after the app has exited).
"""

import json
import sys
import time
from pathlib import Path

from peak_rss import peak_rss_kb  # beside this script

from caseworker_tui.app import CaseworkerApp
from caseworker_tui.config import load_settings
from caseworker_tui.models import bind
from caseworker_tui.services import context
from caseworker_tui.services.permissions import Actor


class ProbeApp(CaseworkerApp):
    # Textual reads a relative CSS_PATH beside the subclass's own file: point it at the app's.
    CSS_PATH = str(Path(sys.modules[CaseworkerApp.__module__].__file__).with_name(CaseworkerApp.CSS_PATH))
    painted_at: float | None = None

    def first_page_painted(self) -> None:
        self.painted_at = time.monotonic()
        self.exit()


def main(url: str) -> None:
    bind(url)
    context.read_policy_from(None)  # as `caseworker` does: the app reads it once its first screen is up
    app = ProbeApp(settings=load_settings(database_url=url), actor=Actor("casey", "Casey Morgan", "caseworker"))
    app.run(headless=True, size=(120, 40))
    print(json.dumps({"painted_at": app.painted_at, "maxrss_kb": peak_rss_kb()}))


if __name__ == "__main__":
    main(sys.argv[1])
