"""Felt speed: from a keystroke to the terminal showing its answer, the app against a bare-Textual floor.

`python -m bench felt --sizes 40,100000 --db sqlite --runs 5 --json FILE`

The app and the floor (bench/floor_app.py) each run as a real process on a pseudo-terminal of
120×40 with TERM=xterm-256color. The harness writes keys to it as a person's terminal would,
feeds every byte the process writes to a terminal emulator (pyte) and looks at the emulated
screen after every chunk: an action is painted when the screen shows its mark (the queue's title
and pager line, the case reference in the case header, the form's first field focused and
showing the letters typed, the next field's border in the focus colour, the case under the
approvals cursor in its pane). A figure is the time from writing the key to the arrival of the
chunk that completed the mark, so it holds everything a person waits for: the key's parsing, the
app's work, the paint and the bytes through the terminal (Esc included, which every Textual app
holds for ESCDELAY, 100 ms by default, to tell it from the start of a longer key). Beside it is
the CPU time the process spent meanwhile, which a busy machine disturbs far less.

Three sessions make one run of each side, one per home screen: casey (a caseworker) starts the
app, opens a case and goes back, twice, opens the new-request form, types and tabs; sam (a supervisor)
goes round the home screens with F3, F6, F7 and F4 and round again; chris (the chair) moves the
approvals cursor. The app and the floor take turns (ABAB…) after one untimed warm-up each, and
every figure is the median of its runs with the min and max, beside the floor's and the ratio.

Size 40 is the demo: `caseworker demo` in a scratch data directory, opened with
`caseworker --demo --user NAME` (on PostgreSQL, `caseworker demo --database-here` into a schema
of its own). Larger sizes are bench/generate.py's datasets, found or built as `python -m bench`
does, and opened signed in through the command line's own start-up (`--run-app`, below).

Only the standard library is imported at the top: the same module starts the app signed in,
and that start-up is timed.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import platform
import queue
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from bench.measure import Figure

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
COLUMNS, ROWS = 120, 40
DEMO_SIZE = 40
DEMO_SCHEMA = "felt_demo"  # the PostgreSQL demo's schema in the benchmark's database
START_TIMEOUT = 300.0  # seconds for a process to show its home screen
ACTION_TIMEOUT = 120.0  # seconds for one key's answer
QUIET, SETTLE_LIMIT = 0.25, 3.0  # between actions: this long without output, or at most that long

KEYS = {"enter": b"\r", "escape": b"\x1b", "tab": b"\t", "down": b"\x1b[B", "up": b"\x1b[A",
        "f3": b"\x1bOR", "f4": b"\x1bOS", "f6": b"\x1b[17~", "f7": b"\x1b[18~", "quit": b"\x11"}
TYPED = "Kowalski"  # typed into the form's first field: the first letter says the form is ready
FIRST_FIELD, NEXT_FIELD = "Name *", "Address"  # the form tabs down its text fields first
REFERENCE = re.compile(r"CT-\d{4}-\d{4,5}")
APPROVAL_ROW = re.compile(r" ?(CT-\d{4}-\d{4,5})  (?!·)")  # a table row; the pane has "  ·  " after it
PAGER = re.compile(r"showing \S+ of \d+ open requests")
USERS = {"casey": "queue", "sam": "deadlines", "chris": "approvals"}  # whose home is which screen


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    note: str = ""


ACTIONS = [
    Action("start", "process start → first queue page", "from the spawn, as casey"),
    Action("open_case", "Enter on a row → the case", "until the case header shows its reference"),
    Action("open_case_again", "Enter on it again → the case", "the same case, its screen's modules imported"),
    Action("back", "Esc → back to the queue", "Esc is held for ESCDELAY: 100 ms in the floor, 25 ms in the app"),
    Action("new_request", "n → the new-request form ready", "until the first letter typed shows in its first field"),
    Action("typing", "typing in the form, per key", f"every key of '{TYPED[1:]}' in every run"),
    Action("tab", "Tab → the next field", "until its border takes the focus colour"),
    Action("f3_queue", "F3 → intake queue (first visit)", "as sam, whose home is the deadlines"),
    Action("f6_approvals", "F6 → approvals (first visit)", "as sam"),
    Action("f7_figures", "F7 → yearly figures (first visit)", "as sam"),
    Action("f4_deadlines", "F4 → deadlines (back home)", "as sam"),
    Action("f_again", "F3/F6/F7 → a screen seen before", "as sam, each key once a run"),
    Action("approvals_cursor", "approvals cursor → its case in the pane", "as chris: down the list and back"),
]
Timing = tuple[float, float]  # milliseconds: wall clock, and the process's CPU time


# --- the emulated terminal -------------------------------------------------------------------------

class Unpainted(RuntimeError):
    """An expected answer did not show: the message carries the screen as it was left."""


def check_terminal() -> None:
    """Fail at once, and say why, where no pseudo-terminal can be had."""
    try:
        master, slave = os.openpty()
    except OSError as exc:
        raise RuntimeError(f"felt speed needs a pseudo-terminal and none could be created: {exc}") from None
    os.close(master)
    os.close(slave)


def _take_terminal() -> None:
    """In the child, after setsid: the pseudo-terminal becomes its controlling terminal, as a login's is."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Terminal:
    """One process on a pseudo-terminal of COLUMNS×ROWS, its output kept as a screen by pyte.

    A thread reads the terminal all the time and stamps each chunk as it arrives, so the process
    never waits on the emulator (pyte takes tens of milliseconds over a full screen) and a paint's
    moment is its bytes' arrival, not the end of the emulator's parsing."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path, who: str) -> None:
        import pyte

        self.who = who
        self.screen = pyte.Screen(COLUMNS, ROWS)
        self._stream = pyte.ByteStream(self.screen)
        self._lines: list[str] | None = None
        self._chunks: queue.SimpleQueue[tuple[float, bytes]] = queue.SimpleQueue()
        self._gone = False
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        self.spawned = time.perf_counter()
        try:
            self.process = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=cwd,
                                            start_new_session=True, preexec_fn=_take_terminal)
        finally:
            os.close(slave)
        self._master = master
        self._cpu_clock = (~self.process.pid << 3) | 2  # the process's CPU clock (CPUCLOCK_SCHED), all threads
        self._reader = threading.Thread(target=self._drain, name=f"read {who}", daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        while True:
            try:
                data = os.read(self._master, 1 << 16)
            except OSError:  # EIO: the process has closed the terminal
                data = b""
            self._chunks.put((time.perf_counter(), data))
            if not data:
                return

    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self.screen.display
        return self._lines

    def _take(self, timeout: float) -> float | None:
        """Feed the next chunk to the screen, waiting up to `timeout` for it; the moment it arrived."""
        if self._gone:
            time.sleep(timeout)
            return None
        try:
            arrived, data = self._chunks.get(timeout=max(timeout, 0))
        except queue.Empty:
            return None
        if not data:
            self._gone = True
            return None
        self._stream.feed(data)
        self._lines = None
        return arrived

    def wait_for(self, painted: Callable[[Terminal], bool], what: str, timeout: float = ACTION_TIMEOUT) -> float:
        """The moment (perf_counter) the chunk arrived after which the screen shows `painted`."""
        moment = time.perf_counter()
        deadline = moment + timeout
        while not painted(self):
            if self._gone:
                self.fail(f"exited (code {self.process.wait()}) before {what} showed")
            left = deadline - time.perf_counter()
            if left <= 0:
                self.fail(f"did not show {what} within {timeout:.0f} s")
            arrived = self._take(min(left, 0.5))
            moment = moment if arrived is None else arrived
        return moment

    def cpu(self) -> float:
        """Seconds of CPU the process has used, every thread's (exited ones too), to the nanosecond:
        much less disturbed than the wall clock by whatever else a shared machine is running."""
        return time.clock_gettime(self._cpu_clock)

    def write(self, key: bytes) -> float:
        written = time.perf_counter()
        os.write(self._master, key)
        return written

    def press(self, key: str, painted: Callable[[Terminal], bool], what: str) -> Timing:
        """Milliseconds, wall and the process's CPU, from writing `key` to the screen showing its
        answer (which must not show before)."""
        if painted(self):
            self.fail(f"already showed {what} before {key} was pressed: that mark cannot time {key}")
        cpu = self.cpu()
        written = self.write(KEYS.get(key, key.encode()))
        return (self.wait_for(painted, what) - written) * 1000, (self.cpu() - cpu) * 1000

    def settle(self) -> None:
        """Let the last answer finish painting (work still arriving, a reload) before the next key."""
        limit = time.perf_counter() + SETTLE_LIMIT
        while time.perf_counter() < limit and self._take(QUIET) is not None:
            pass

    def close(self) -> None:
        """Ctrl+Q, as a person leaves; the process group is killed if it has not gone within seconds."""
        if not self._gone:
            with suppress(OSError):
                self.write(KEYS["quit"])
            limit = time.perf_counter() + 10
            while not self._gone and time.perf_counter() < limit:
                self._take(0.2)
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self._reader.join(timeout=5)
        os.close(self._master)

    def fail(self, why: str) -> NoReturn:
        screen = "\n".join(line.rstrip() for line in self.lines())
        raise Unpainted(f"{self.who} {why}. The screen:\n{screen}")


# --- what a painted answer looks like ------------------------------------------------------------

def titled(words: str, mark: str | re.Pattern[str]) -> Callable[[Terminal], bool]:
    """A screen: its title in the header line, and a line of its own content (loaded, not "Loading…")."""
    def painted(term: Terminal) -> bool:
        lines = term.lines()
        found = (lambda line: mark.search(line)) if isinstance(mark, re.Pattern) else (lambda line: mark in line)
        return words in lines[0] and any(found(line) for line in lines[1:])
    return painted


QUEUE = titled("Intake queue", PAGER)
DEADLINES = titled("Deadlines", "Open steps — ")
APPROVALS = titled("Approvals", "waiting for")
FIGURES = titled("Public figures", "Requests received ")


def case_header(reference: str) -> Callable[[Terminal], bool]:
    return lambda term: any(line.lstrip().startswith(f"{reference}  ·  ") for line in term.lines())


def in_pane(reference: str) -> Callable[[Terminal], bool]:
    """The approvals pane showing this case: its reference followed by "  ·  ", unlike its table row."""
    return lambda term: any(f"{reference}  ·  " in line for line in term.lines())


def first_reference(term: Terminal) -> str:
    """The reference of the first row, where a list's cursor starts."""
    for line in term.lines()[1:]:
        found = REFERENCE.search(line)
        if found:
            return found.group()
    term.fail("showed no case reference to open")


def approval_rows(term: Terminal) -> list[str]:
    return [m.group(1) for m in (APPROVAL_ROW.match(line) for line in term.lines()) if m]


def _label_at(term: Terminal, label: str) -> tuple[int, int] | None:
    """Row and column of a field's label: its box's top edge is the row below, its text the one after."""
    for row, line in enumerate(term.lines()):
        col = line.find(label)
        if col >= 0 and row + 2 < ROWS:
            return row, col
    return None


def field_text(term: Terminal, label: str) -> str | None:
    """What the field under `label` shows, between its box's left and right edges."""
    at = _label_at(term, label)
    if at is None:
        return None
    inside = term.lines()[at[0] + 2][at[1]:]
    if not inside.startswith("▊"):
        return None
    return inside[1:].split("▎", 1)[0].strip()


def edge_colour(term: Terminal, label: str) -> str | None:
    """The colour of the top-left corner of the field under `label`: the focus colour when focused."""
    at = _label_at(term, label)
    return None if at is None else term.screen.buffer[at[0] + 1][at[1]].fg


def focused_field(label: str) -> Callable[[Terminal], bool]:
    """The field shown and focused: the terminal's cursor (hidden, but placed) on its text's row."""
    def painted(term: Terminal) -> bool:
        at = _label_at(term, label)
        return at is not None and term.screen.cursor.y == at[0] + 2 and field_text(term, label) == ""
    return painted


def shows_typed(label: str, text: str) -> Callable[[Terminal], bool]:
    return lambda term: field_text(term, label) == text


def takes_focus(label: str, colour: str, away_from: str) -> Callable[[Terminal], bool]:
    return lambda term: edge_colour(term, label) == colour and edge_colour(term, away_from) != colour


# --- the three sessions of a run ---------------------------------------------------------------------

Record = Callable[[str, Timing], None]


def desk(term: Terminal, record: Record) -> None:
    """casey: start-up to the queue, a case and back twice, the new-request form typed into and tabbed."""
    painted = term.wait_for(QUEUE, "the intake queue's first page", START_TIMEOUT)
    record("start", ((painted - term.spawned) * 1000, term.cpu() * 1000))
    term.settle()
    for name in ("open_case", "open_case_again"):  # the first opening imports the case's screen and widgets
        reference = first_reference(term)
        record(name, term.press("enter", case_header(reference), f"the case header of {reference}"))
        term.settle()
        record("back", term.press("escape", QUEUE, "the intake queue again"))
        term.settle()
    record("new_request", _form_ready(term))
    for n in range(2, len(TYPED) + 1):
        record("typing", term.press(TYPED[n - 1], shows_typed(FIRST_FIELD, TYPED[:n]), f"'{TYPED[:n]}' typed"))
    term.settle()
    focus = edge_colour(term, FIRST_FIELD)
    if focus is None:
        term.fail(f"lost the field '{FIRST_FIELD}' after typing into it")
    record("tab", term.press("tab", takes_focus(NEXT_FIELD, focus, FIRST_FIELD), f"focus on '{NEXT_FIELD}'"))
    term.settle()


def _form_ready(term: Terminal) -> Timing:
    """`n` to the first letter typed showing in the form's first field: the form is there and takes keys.
    The letter is written the moment the field is focused, so no key is lost to the screen beneath."""
    if focused_field(FIRST_FIELD)(term):
        term.fail("showed the form before n was pressed")
    cpu = term.cpu()
    pressed = term.write(b"n")
    term.wait_for(focused_field(FIRST_FIELD), f"the new-request form with '{FIRST_FIELD}' focused")
    term.write(TYPED[0].encode())
    painted = term.wait_for(shows_typed(FIRST_FIELD, TYPED[0]), f"'{TYPED[0]}' typed")
    return (painted - pressed) * 1000, (term.cpu() - cpu) * 1000


def homes(term: Terminal, record: Record) -> None:
    """sam: round the home screens from the deadlines (his home), each first visit, then round again."""
    term.wait_for(DEADLINES, "the deadlines, sam's home", START_TIMEOUT)
    term.settle()
    rounds = [("f3", QUEUE, "the intake queue", "f3_queue"), ("f6", APPROVALS, "the approvals", "f6_approvals"),
              ("f7", FIGURES, "the yearly figures", "f7_figures"), ("f4", DEADLINES, "the deadlines", "f4_deadlines")]
    for key, screen, what, name in rounds:
        record(name, term.press(key, screen, what))
        term.settle()
    for key, screen, what, _ in rounds[:3]:
        record("f_again", term.press(key, screen, f"{what} again"))
        term.settle()


def chair(term: Terminal, record: Record) -> None:
    """chris: the approvals cursor down the first rows and back up, each move to its case in the pane."""
    term.wait_for(APPROVALS, "the approvals, chris's home", START_TIMEOUT)
    term.settle()  # the whole list, not the first lines of its frame
    rows = approval_rows(term)
    if len(rows) < 2:
        term.fail("listed fewer than two outcomes awaiting the chair: the cursor has nowhere to move")
    term.wait_for(in_pane(rows[0]), f"{rows[0]} in the approvals pane")
    term.settle()
    shown = rows[:4]
    moves = [("down", ref) for ref in shown[1:]] + [("up", ref) for ref in reversed(shown[:-1])]
    for key, reference in moves:
        record("approvals_cursor", term.press(key, in_pane(reference), f"{reference} in the approvals pane"))
        term.settle()


SESSIONS: list[tuple[str, Callable[[Terminal, Record], None]]] = [("casey", desk), ("sam", homes), ("chris", chair)]


# --- the two sides and how each is started --------------------------------------------------------

@dataclass
class Side:
    """The app or the floor: the command that starts it for a user, and its environment."""

    name: str  # app | floor
    command: Callable[[str], list[str]]
    env: dict[str, str]

    def run(self) -> dict[str, list[Timing]]:
        """One run: the three sessions, each a fresh process; the timings of every action."""
        samples: dict[str, list[Timing]] = {}
        for user, session in SESSIONS:
            term = Terminal(self.command(user), self.env, REPO, f"The {self.name} (as {user})")
            try:
                session(term, lambda name, timing: samples.setdefault(name, []).append(timing))
            finally:
                term.close()
        return samples


def child_env(workdir: Path, **extra: str) -> dict[str, str]:
    """A person's terminal: none of the caller's caseworker settings, screen size or Python switches.

    Bytecode is written (to the scratch directory) as an installed app's is: with
    PYTHONDONTWRITEBYTECODE, which shells and CI often set, every start-up and every screen's first
    opening would compile the app's modules from source, a cost no installed copy pays."""
    from bench import generate

    dropped = ("CASEWORKER_", "TEXTUAL", "COLUMNS", "LINES", "COLORTERM", "NO_COLOR", "FORCE_COLOR",
               "PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "PYTHONPYCACHEPREFIX")
    env = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    env.update(TERM="xterm-256color", LANG=env.get("LANG") or "C.UTF-8", CASEWORKER_TODAY=generate.ANCHOR.isoformat(),
               CASEWORKER_DATA_DIR=str(workdir / "data"), CASEWORKER_CONFIG=str(workdir / "config.toml"),
               PYTHONPYCACHEPREFIX=str(workdir / "bytecode"), **extra)
    return env


def caseworker_command() -> str:
    """The installed `caseworker` beside this interpreter (the venv's), else the one on PATH."""
    beside = Path(sys.executable).with_name("caseworker")
    found = str(beside) if beside.exists() else shutil.which("caseworker")
    if not found:
        raise RuntimeError("the `caseworker` command is not installed: pip install -e '.[test]' first")
    return found


def floor_side(workdir: Path) -> Side:
    return Side("floor", lambda user: [sys.executable, str(HERE / "floor_app.py"), "--felt", "--home", USERS[user]],
                child_env(workdir))


def app_side(size: int, db: str, workdir: Path, say: Callable[[str], None]) -> Side:
    """The app on the dataset of `size` cases on `db`, built first when missing."""
    if size == DEMO_SIZE and db == "sqlite":
        env = child_env(workdir)
        say("building the demo")
        _run([caseworker_command(), "demo"], env)
        return Side("app", lambda user: [caseworker_command(), "--demo", "--user", user], env)
    url = _demo_on_postgres(workdir, say) if size == DEMO_SIZE else _generated(size, db, say)
    env = child_env(workdir, CASEWORKER_DATABASE_URL=url)
    return Side("app", lambda user: [sys.executable, "-m", "bench.felt", "--run-app", user], env)


def _demo_on_postgres(workdir: Path, say: Callable[[str], None]) -> str:
    """The demo built afresh into a schema of the benchmark's PostgreSQL database, as
    `caseworker demo --database-here` builds it into any configured database."""
    from bench import generate

    generate._create_postgres_database()
    server = generate.open_database(generate.POSTGRES_SERVER)
    with server.connection_context():
        server.execute_sql(f'DROP SCHEMA IF EXISTS "{DEMO_SCHEMA}" CASCADE')
        server.execute_sql(f'CREATE SCHEMA "{DEMO_SCHEMA}"')
    server.close()
    url = f"{generate.POSTGRES_SERVER}?options=-c%20search_path%3D{DEMO_SCHEMA}"
    say("building the demo on PostgreSQL")
    _run([caseworker_command(), "demo", "--database-here"], child_env(workdir, CASEWORKER_DATABASE_URL=url))
    return url


def _generated(size: int, db: str, say: Callable[[str], None]) -> str:
    from bench import generate, measure

    say(f"finding or building the {size:,}-case dataset")
    dataset = generate.ensure(size, db)
    measure._upgrade(dataset.url)
    return dataset.url


def _run(argv: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(argv, env=env, cwd=REPO, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[1:])} failed (exit {done.returncode}): {done.stderr.strip()[-2000:]}")


def run_signed_in(user: str) -> int:
    """`caseworker` on the configured database, signed in as `user` the way `--demo --user` signs in:
    the command line's own start-up (settings, database, policy), then the app, minus the sign-in
    screen, whose passphrase check would be timed as start-up."""
    from caseworker_tui.cli import common
    from caseworker_tui.services import auth

    settings, _ = common.open_database(argparse.Namespace(demo=False), policy_now=False)
    actor = auth.find_actor(user)
    from caseworker_tui.app import CaseworkerApp

    app = CaseworkerApp(settings=settings, actor=actor, username=user)
    app.run()
    return app.return_code or 0


# --- measuring and reporting -----------------------------------------------------------------------

@dataclass
class Result:
    size: int
    db: str
    samples: dict[str, dict[str, list[Timing]]] = field(default_factory=lambda: {"app": {}, "floor": {}})
    load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average before and after

    @property
    def dataset(self) -> str:
        return f"{self.size:,} cases{' (the demo)' if self.size == DEMO_SIZE else ''} on {self.db}"

    def figure(self, side: str, action: Action) -> Figure | None:
        """The action's timings on one side as a Figure: wall clock as its runs, CPU beside."""
        from bench.measure import Figure

        timings = self.samples[side].get(action.name)
        if not timings:
            return None
        return Figure(action.label, "ms", [wall for wall, _ in timings], note=action.note,
                      cpu=[cpu for _, cpu in timings])

    def ratios(self, action: Action) -> tuple[float, float] | None:
        """App ÷ floor, of the wall-clock medians and of the CPU medians."""
        app, floor = self.figure("app", action), self.figure("floor", action)
        if app is None or floor is None:
            return None
        return app.median / floor.median, (app.cpu_median or 0) / (floor.cpu_median or float("inf"))


def measure_dataset(app: Side, floor: Side, runs: int, warmup: int, result: Result, say: Callable[[str], None]) -> None:
    """App and floor in turn, `warmup` untimed runs of each first (bytecode compiled, disk warm)."""
    for n in range(warmup + runs):
        timed = n >= warmup
        for side in (app, floor):
            say(f"{side.name} run {n - warmup + 1}/{runs}" if timed else f"{side.name} warm-up")
            samples = side.run()
            if timed:
                for name, timings in samples.items():
                    result.samples[side.name].setdefault(name, []).extend(timings)


def run(sizes: list[int], dbs: list[str], runs: int, warmup: int = 1,
        say: Callable[[str], None] = lambda s: None) -> list[Result]:
    check_terminal()
    switching = sys.getswitchinterval()
    # The reader threads stamp chunks as they arrive: let them in promptly while pyte parses.
    sys.setswitchinterval(0.0005)
    try:
        return [measure_one(size, db, runs, warmup, say) for size in sizes for db in dbs]
    finally:
        sys.setswitchinterval(switching)


def measure_one(size: int, db: str, runs: int, warmup: int, say: Callable[[str], None]) -> Result:
    """One dataset, in a scratch directory of its own (config, data, the demo) removed afterwards."""
    def progress(step: str) -> None:
        say(f"{size:,} cases on {db}: {step}")

    with tempfile.TemporaryDirectory(prefix="caseworker-felt-") as scratch:
        workdir = Path(scratch)
        app = app_side(size, db, workdir, progress)
        result = Result(size, db)
        load = os.getloadavg()[0]
        measure_dataset(app, floor_side(workdir), runs, warmup, result, progress)
        result.load = (load, os.getloadavg()[0])
    return result


def _row(result: Result, action: Action) -> list[str]:
    from bench.measure import _number, cell

    app, floor, ratios = result.figure("app", action), result.figure("floor", action), result.ratios(action)
    cpu = [_number(f.cpu_median, "ms") if f is not None and f.cpu_median is not None else "" for f in (app, floor)]
    return [action.label, cell(app) if app else "not measured", cell(floor) if floor else "not measured",
            f"{ratios[0]:.2f}" if ratios else "", *cpu, f"{ratios[1]:.2f}" if ratios else ""]


def format_table(results: list[Result], runs: int) -> str:
    """Per dataset, one row per action: the app's and the floor's median (min–max) and app ÷ floor,
    then the same in the process's CPU time (medians)."""
    from bench.measure import _grid

    blocks = []
    for r in results:
        rows = [["action", "app, ms", "floor, ms", "app ÷ floor", "CPU app", "CPU floor", "CPU ÷"],
                *[_row(r, action) for action in ACTIONS]]
        blocks.append("\n".join([f"{r.dataset}: median (min–max) of {runs} run{'s' if runs != 1 else ''}, "
                                 f"load {r.load[0]:.1f}→{r.load[1]:.1f}", "", *_grid(rows)]))
    notes = ["Notes:", *[f"  {a.label}: {a.note}" for a in ACTIONS if a.note]]
    return "\n\n".join([*blocks, "\n".join(notes)])


def to_json(results: list[Result], runs: int, warmup: int) -> dict:
    from bench import generate

    def action(r: Result, a: Action) -> dict:
        app, floor, ratios = r.figure("app", a), r.figure("floor", a), r.ratios(a)
        return {"app": app.as_json() if app else None, "floor": floor.as_json() if floor else None,
                "ratio": ratios[0] if ratios else None, "cpu_ratio": ratios[1] if ratios else None}

    return {
        "today": generate.ANCHOR.isoformat(),
        "runs": runs,
        "warmup": warmup,
        "terminal": {"columns": COLUMNS, "rows": ROWS, "term": "xterm-256color"},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "actions": {a.name: {"label": a.label, "note": a.note} for a in ACTIONS},
        "datasets": [{"size": r.size, "db": r.db, "demo": r.size == DEMO_SIZE, "load_average": list(r.load),
                      "actions": {a.name: action(r, a) for a in ACTIONS}} for r in results],
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--run-app"] and len(argv) == 2:
        return run_signed_in(argv[1])
    parser = argparse.ArgumentParser(prog="python -m bench felt", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default=str(DEMO_SIZE), help=f"comma-separated case counts; {DEMO_SIZE} is the demo")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each side (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs of each side first (default 1)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write every sample as JSON here")
    args = parser.parse_args(argv)
    try:
        sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--sizes: whole numbers separated by commas, not {args.sizes!r}")
    if not sizes or min(sizes) < 1 or args.runs < 1 or args.warmup < 0:
        parser.error("--sizes and --runs must be positive, --warmup 0 or more")
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results = run(sizes, dbs, args.runs, args.warmup, say=lambda text: print(f"… {text}", file=sys.stderr, flush=True))
    print(format_table(results, args.runs))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(to_json(results, args.runs, args.warmup), indent=2) + "\n", encoding="utf-8")
        print(f"\nSamples written to {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
