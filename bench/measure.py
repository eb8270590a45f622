"""The harness: what a user waits for, at each size and on each database, against the targets.

For every dataset (size × database) it measures start-up of a whole process, headless, from its
spawn to the first page of the intake queue painted, beside the floor (a bare Textual app painting
a table); and, in process, opening a case with its timeline, the overdue view's first page, a search by
name, the queue's next page, verdicts per second, one letter, and the yearly statistics. Each
figure is the median of several runs, with the min and max, printed as a table and written as
JSON. Every call is warmed up once first: the figures are steady state, and start-up (which is
not) is measured on its own.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from bench import generate

HERE = Path(__file__).resolve().parent
SUPERVISOR = ("sam", "Sam Okafor", "supervisor")
SEARCHES = ["patel", "nadia singh", "kowalski", "le3"]


@dataclass
class Figure:
    """One measured quantity: every run kept, summarised by median, min and max."""

    label: str
    unit: str  # ms | s | /s | MB | x
    runs: list[float]
    target: float | None = None
    higher_is_better: bool = False
    note: str = ""
    cpu: list[float] = field(default_factory=list)  # the same runs in CPU time, where it means something

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def met(self) -> bool | None:
        if self.target is None or not self.runs:
            return None
        return self.median >= self.target if self.higher_is_better else self.median <= self.target

    @property
    def cpu_median(self) -> float | None:
        return statistics.median(self.cpu) if self.cpu else None

    def as_json(self) -> dict:
        return {**asdict(self), "median": self.median, "min": min(self.runs), "max": max(self.runs),
                "met": self.met, "cpu_median": self.cpu_median}


@dataclass
class Result:
    size: int
    db: str
    figures: dict[str, Figure] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # figure -> why it was not measured
    load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average before and after


# Targets at 100,000 cases on SQLite (medians); shown against every dataset.
TARGETS = {"startup_ratio": 1.3, "open_case_ms": 150, "overdue_ms": 100, "search_ms": 100,
           "verdicts_per_s": 5000, "letter_ms": 150, "stats_ms": 500, "rss_mb": 250}
POSTGRES_WITHIN = 2.0  # PostgreSQL's median at most this many times SQLite's


# --- start-up, as whole processes ---------------------------------------------------------------

def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _spawn(script: str, *args: str, env: dict[str, str]) -> tuple[float, float, float, dict]:
    """Seconds from spawn to the first paint and from spawn to exit, the child's CPU time, and the
    JSON line it printed. The child reads the paint's moment off the same monotonic clock."""
    cpu_before, started = _children_cpu(), time.monotonic()
    try:
        done = subprocess.run([sys.executable, str(HERE / script), *args], env=env, capture_output=True,
                              text=True, timeout=180, check=False)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"{script} did not paint its first page within 3 minutes") from None
    wall, cpu = time.monotonic() - started, _children_cpu() - cpu_before
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{script} failed (exit {done.returncode}): {done.stderr.strip()[-2000:]}")
    report = json.loads(lines[-1])
    if report.get("painted_at") is None:
        raise RuntimeError(f"{script} exited without painting its first page")
    return report["painted_at"] - started, wall, cpu, report


def _probe_env(workdir: str) -> dict[str, str]:
    """The app's clock fixed to the dataset's day; config and data away from the user's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEWORKER_")}
    env.update(CASEWORKER_TODAY=generate.ANCHOR.isoformat(), CASEWORKER_DATA_DIR=f"{workdir}/data",
               CASEWORKER_CONFIG=f"{workdir}/config.toml")
    return env


def measure_startup(url: str, runs: int, result: Result, say: Callable[[str], None]) -> None:
    """App and floor alternately, after one untimed run of each (compiled bytecode, warm disk).

    Start-up is counted from the spawn to the first page painted. The whole process, to its exit,
    is shown beside it: the extra is the interpreter tearing down what the app loaded, which a
    user who has just opened the app does not wait for."""
    app = Figure("start-up to first page painted (app)", "s", [])
    floor = Figure("start-up floor (bare DataTable app)", "s", [])
    ratio = Figure("start-up ÷ floor", "x", [], TARGETS["startup_ratio"],
                   note="per run: app ÷ the floor run just before it")
    app_process = Figure("whole process to exit (app)", "s", [])
    floor_process = Figure("whole process to exit (floor)", "s", [])
    process_ratio = Figure("whole process ÷ floor", "x", [])
    app_rss, floor_rss = [], []
    with tempfile.TemporaryDirectory(prefix="caseworker-bench-") as workdir:
        env = _probe_env(workdir)
        _spawn("floor_app.py", env=env)
        _spawn("probe_app.py", url, env=env)
        for n in range(runs):
            say(f"start-up {n + 1}/{runs}")
            floor_paint, floor_wall, floor_cpu, floor_report = _spawn("floor_app.py", env=env)
            app_paint, app_wall, app_cpu, app_report = _spawn("probe_app.py", url, env=env)
            floor.runs.append(floor_paint)
            app.runs.append(app_paint)
            ratio.runs.append(app_paint / floor_paint)
            floor_process.runs.append(floor_wall)
            floor_process.cpu.append(floor_cpu)
            app_process.runs.append(app_wall)
            app_process.cpu.append(app_cpu)
            process_ratio.runs.append(app_wall / floor_wall)
            process_ratio.cpu.append(app_cpu / floor_cpu)
            floor_rss.append(floor_report["maxrss_kb"] / 1024)
            app_rss.append(app_report["maxrss_kb"] / 1024)
    result.figures.update(
        startup_s=app, floor_s=floor, startup_ratio=ratio, process_s=app_process, floor_process_s=floor_process,
        process_ratio=process_ratio, rss_mb=Figure("peak RSS of the app", "MB", app_rss, TARGETS["rss_mb"]),
        floor_rss_mb=Figure("peak RSS of the floor", "MB", floor_rss))


# --- in process --------------------------------------------------------------------------------

def _timed(label: str, call: Callable[[int], object], runs: int, target: float | None = None,
           note: str = "") -> Figure:
    """Milliseconds per run, wall and CPU; run n is given n, so each run can ask for another thing."""
    call(-1)  # warm-up: lazy imports, the holiday table, first connection
    figure = Figure(label, "ms", [], target, note=note)
    for n in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        call(n)
        figure.runs.append((time.perf_counter() - wall) * 1000)
        figure.cpu.append((time.process_time() - cpu) * 1000)
    return figure


def measure_in_process(url: str, runs: int, result: Result, say: Callable[[str], None]) -> None:
    from caseworker_tui.models import Case, CaseView, bind
    from caseworker_tui.services import cases, clock, context, deadlines_view, queue, stats
    from caseworker_tui.services.permissions import Actor
    from caseworker_tui.services.unit import reading, transaction

    bind(url)
    context.load_policy_in_force(None)
    clock.set_today(generate.ANCHOR)
    actor = Actor(*SUPERVISOR)
    figures = result.figures
    with reading():
        top = Case.select(Case.id).order_by(Case.id.desc()).scalar()
        views_before = CaseView.select(CaseView.id).order_by(CaseView.id.desc()).scalar() or 0
    # Cases spread over the whole table: old closed ones and this week's alike.
    picks = [max(1, top * (2 * k + 1) // (2 * (runs + 1))) for k in range(runs + 1)]

    say("open a case")
    figures["open_case_ms"] = _timed("open a case with its timeline", lambda n: cases.open_case(picks[n], actor),
                                     runs, TARGETS["open_case_ms"], note="records the view, as the screen does")
    with transaction():  # leave the dataset as it was built
        CaseView.delete().where(CaseView.id > views_before).execute()

    say("queue")
    figures["queue_ms"] = _timed("intake queue, first page", lambda n: queue.queue_page(actor), runs)
    figures["next_page_ms"] = _timed("intake queue, next page (2)", lambda n: queue.queue_page(actor, page=2), runs)
    figures["search_ms"] = _timed(
        "search by name", lambda n: queue.queue_page(actor, queue.QueueFilter(search=SEARCHES[n % len(SEARCHES)])),
        runs, TARGETS["search_ms"], note=f"terms in turn: {', '.join(SEARCHES)}")

    say("overdue view")
    figures["overdue_ms"] = _timed("overdue view, first page", lambda n: deadlines_view.deadline_page(actor), runs,
                                   TARGETS["overdue_ms"], note="services.deadlines_view.deadline_page, as the screen opens it")
    figures["workload_ms"] = _timed("overdue view, workload panel", lambda n: deadlines_view.workload(actor), runs,
                                    note="loaded in a worker beside the first page by the same screen")

    say("verdicts")
    figures["verdicts_per_s"] = _verdict_rates(runs)

    say("letter")
    _letter(result, runs)

    say("statistics")
    year = stats.current_year() - 1
    figures["stats_ms"] = _timed("yearly statistics", lambda n: stats.figures(actor, year), runs,
                                 TARGETS["stats_ms"], note=f"reporting year {year}, the last complete one")


def _verdict_rates(runs: int, batch: int = 2000) -> Figure:
    """Verdicts per second (and per CPU second) over generated applications, parsed beforehand."""
    from caseworker_tui.services import context
    from caseworker_tui.services.application import parse_application
    from caseworker_tui.services.eligibility import evaluate

    policy = context.policy()
    rng = random.Random(7)
    start = datetime.combine(generate.ANCHOR, datetime.min.time())
    applications = [parse_application(generate.application(rng, start - timedelta(days=rng.randint(0, 700)),
                                                           meets=rng.random() < 0.7), policy)
                    for _ in range(batch)]
    for application in applications[:100]:
        evaluate(application, policy)
    figure = Figure("eligibility verdicts", "/s", [], TARGETS["verdicts_per_s"], higher_is_better=True,
                    note=f"{batch:,} realistic applications a run, about ten reports each")
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        for application in applications:
            evaluate(application, policy)
        figure.runs.append(batch / (time.perf_counter() - wall))
        figure.cpu.append(batch / max(time.process_time() - cpu, 1e-9))
    return figure


def _letter(result: Result, runs: int) -> None:
    """One outcome letter (the fullest) rendered from its case.

    Timed: the letter's context read from the database and the .docx rendered in memory.
    Not timed: writing the file and recording the letter, which would change the dataset.
    """
    from caseworker_tui.models import Case
    from caseworker_tui.services import letters
    from caseworker_tui.services.letters import build_context as build
    from caseworker_tui.services.unit import reading

    kind = "outcome"
    with reading():
        approved = [i for (i,) in Case.select(Case.id).where(Case.stage.in_(("approved", "closed"))
                                                           & Case.accepted_on.is_null(False))
                    .order_by(Case.id).tuples()]
    if not approved:
        result.skipped["letter_ms"] = "no case with an approved outcome in this dataset"
        return
    picks = [approved[len(approved) * k // (runs + 1)] for k in range(runs + 1)]
    template = letters.template_path(kind)

    def one(n: int) -> bytes:
        with reading():
            letter = build(kind, Case.get_by_id(picks[n]))
        return letters.render(kind, letter, template)

    result.figures["letter_ms"] = _timed("one letter (outcome)", one, runs, TARGETS["letter_ms"],
                                         note="context from the database and the .docx rendered in memory; "
                                              "the file write and the Letter row are not timed")


# --- running it all ----------------------------------------------------------------------------

def run(sizes: list[int], dbs: list[str], runs: int, say: Callable[[str], None] = lambda s: None) -> list[Result]:
    results = []
    for size in sizes:
        for kind in dbs:
            dataset = generate.ensure(size, kind)
            _upgrade(dataset.url)
            result = Result(size, kind)
            load_before = os.getloadavg()[0]

            def progress(step: str, size=size, kind=kind) -> None:
                say(f"{size:,} cases on {kind}: {step}")

            measure_startup(dataset.url, runs, result, progress)
            measure_in_process(dataset.url, runs, result, progress)
            result.load = (load_before, os.getloadavg()[0])
            results.append(result)
    return results


def _upgrade(url: str) -> None:
    """Datasets are built once; a newer schema (indexes) reaches them as `caseworker db upgrade` would."""
    from caseworker_tui.models import open_database
    from caseworker_tui.models.schema import upgrade

    database = open_database(url)
    upgrade(database)
    database.close()


def comparisons(results: list[Result]) -> list[dict]:
    """PostgreSQL against SQLite for each timed figure, where both were measured at a size."""
    by_key = {(r.size, r.db): r for r in results}
    rows = []
    for (size, db), pg in sorted(by_key.items()):
        lite = by_key.get((size, "sqlite"))
        if db != "postgres" or lite is None:
            continue
        for name, figure in pg.figures.items():
            other = lite.figures.get(name)
            if other is None or figure.unit not in ("ms", "s"):
                continue
            ratio = figure.median / other.median if other.median else float("inf")
            rows.append({"size": size, "figure": name, "sqlite": other.median, "postgres": figure.median,
                         "ratio": ratio, "met": ratio <= POSTGRES_WITHIN})
    return rows


# --- presenting ---------------------------------------------------------------------------------

def _number(value: float, unit: str) -> str:
    if unit == "/s":
        return f"{value:,.0f}"
    if unit == "s":
        return f"{value:.2f}"
    if unit == "x":
        return f"{value:.2f}"
    if unit == "MB":
        return f"{value:.0f}"
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def cell(figure: Figure) -> str:
    """"median (min–max)" and ✓/✗ against the target, in words as well as marks."""
    mark = {True: " ✓", False: " ✗", None: ""}[figure.met]
    lo, hi = min(figure.runs), max(figure.runs)
    return f"{_number(figure.median, figure.unit)} ({_number(lo, figure.unit)}–{_number(hi, figure.unit)}){mark}"


def _target_text(figure: Figure) -> str:
    if figure.target is None:
        return ""
    sign = "≥" if figure.higher_is_better else "≤"
    return f"{sign} {_number(figure.target, figure.unit)}"


def _grid(rows: list[list[str]]) -> list[str]:
    """Rows of cells as aligned text, the first row a header underlined."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(text.ljust(width) for text, width in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return lines


def _names(results: list[Result]) -> list[str]:
    names: list[str] = []
    for result in results:
        names += [n for n in [*result.figures, *result.skipped] if n not in names]
    return names


def format_table(results: list[Result]) -> str:
    """One row per figure, one column per dataset: median (min–max), marked against the target;
    then the same runs in CPU time, which a busy shared machine disturbs far less than wall time."""
    if not results:
        return "Nothing measured."
    datasets = [f"{r.size:,} {r.db}" for r in results]
    wall = [["figure", "unit", *datasets, "target"]]
    cpu = [["CPU time (median)", "unit", *datasets]]
    for name in _names(results):
        sample = next((r.figures[name] for r in results if name in r.figures), None)
        if sample is None:
            wall.append([name, "", *["skipped"] * len(results), ""])
            continue
        wall.append([sample.label, sample.unit,
                     *[cell(r.figures[name]) if name in r.figures else "skipped" for r in results],
                     _target_text(sample)])
        if sample.cpu:
            cpu.append([sample.label, sample.unit, *[
                _number(r.figures[name].cpu_median, sample.unit) if name in r.figures and r.figures[name].cpu
                else "" for r in results]])
    lines = ["Wall clock: median (min–max) of the runs; ✓/✗ against the target", "", *_grid(wall)]
    if len(cpu) > 1:
        lines += ["", *_grid(cpu)]
    lines += ["", "Load average (1 min) while measured: " + ", ".join(
        f"{d} {r.load[0]:.1f}→{r.load[1]:.1f}" for d, r in zip(datasets, results, strict=True))]
    versus = comparisons(results)
    if versus:
        lines += ["", f"PostgreSQL ÷ SQLite, medians (target ≤ {POSTGRES_WITHIN:g}):"]
        lines += [f"  {c['size']:>7,}  {c['figure']:<16} {c['ratio']:.2f}{' ✓' if c['met'] else ' ✗'}"
                  for c in versus]
    notes = sorted({f"{f.label}: {f.note}" for r in results for f in r.figures.values() if f.note})
    if notes:
        lines += ["", "Notes:"] + [f"  {n}" for n in notes]
    skipped = sorted({f"{n}: {why}" for r in results for n, why in r.skipped.items()})
    if skipped:
        lines += ["", "Not measured:"] + [f"  {s}" for s in skipped]
    return "\n".join(lines)


def to_json(results: list[Result], runs: int) -> dict:
    return {
        "generator_version": generate.GENERATOR_VERSION,
        "today": generate.ANCHOR.isoformat(),
        "runs": runs,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "targets": {**TARGETS, "postgres_within": POSTGRES_WITHIN},
        "datasets": [{"size": r.size, "db": r.db, "load_average": list(r.load),
                      "figures": {n: f.as_json() for n, f in r.figures.items()}, "skipped": r.skipped}
                     for r in results],
        "postgres_vs_sqlite": comparisons(results),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated case counts")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per figure (default 5)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    try:
        sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--sizes: whole numbers separated by commas, not {args.sizes!r}")
    if not sizes or min(sizes) < 1 or args.runs < 1:
        parser.error("--sizes and --runs must be positive")
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results = run(sizes, dbs, args.runs, say=lambda text: print(f"… {text}", file=sys.stderr, flush=True))
    print(format_table(results))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(to_json(results, args.runs), indent=2) + "\n", encoding="utf-8")
        print(f"\nFigures written to {args.json}", file=sys.stderr)
    return 0
