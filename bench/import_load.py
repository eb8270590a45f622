"""A large import while other desks work: how long the import takes, and whether any save failed.

    python -m bench import-load --size 100000 --desks 3 --db sqlite --json bench/results/import-load.json

Each desk is a process of its own that, until the import has finished, adds a note to its case and
re-triages it, again and again, as a busy office would; the import is one more process, importing
one file of SIZE applications. Reported: the import's time, the desks' saves, how many failed (the
figure that must be 0) and the longest a save waited.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TODAY = "2026-11-25"
POSTGRES = "postgresql://postgres@127.0.0.1:5432/bench_import_load"  # created when missing


def application(n: int) -> dict:
    """One valid request (three incidents, each reported by the applicant in time), distinct by n."""
    def incident(ident: str, on: str, agency: str, reported: str) -> dict:
        return {"id": ident, "occurred_on": on, "description": f"Loud music, night {n}", "location": f"{n} Main Street",
                "hate_related": False, "reports": [{"agency": agency, "reported_on": reported, "reporter": "applicant",
                                                    "agency_reference": f"REF-{n}"}]}
    return {
        "received_at": f"2026-11-{1 + n % 20:02d}T{9 + n % 8:02d}:{n % 60:02d}:00",
        "applicant": {"name": f"Applicant {n}", "address": f"{n} Main Street, Leicester", "postcode": "LE1 1AA",
                      "email": f"person{n}@example.org", "phone": "07700 900123", "preferred_contact": "email",
                      "on_behalf_of": None, "vulnerabilities": None, "needs": [], "advocate": None,
                      "consent_to_share": True},
        "dissatisfied": True, "dissatisfaction_reason": "Nothing was done.",
        "incidents": [incident("i1", "2026-10-01", "police", "2026-10-02"),
                      incident("i2", "2026-10-10", "council", "2026-10-12"),
                      incident("i3", "2026-10-20", "housing_provider", "2026-10-21")],
    }


def _setup(url: str, desks: int) -> list[int]:
    """The schema, and one case per desk to work on."""
    from caseworker_tui.models import bind
    from caseworker_tui.models.schema import upgrade
    from caseworker_tui.services import context, intake
    from caseworker_tui.services.application import parse_application
    from caseworker_tui.services.permissions import Actor

    upgrade(bind(url))
    actor = Actor("bench", "Bench", "caseworker")
    return [intake.create_request(parse_application(application(10_000_000 + d), context.policy()), actor).id
            for d in range(desks)]


def _child(*args: str, url: str) -> subprocess.Popen:
    env = {**os.environ, "CASEWORKER_DATABASE_URL": url, "CASEWORKER_TODAY": TODAY}
    return subprocess.Popen([sys.executable, "-m", "bench.import_load", *args], cwd=ROOT, env=env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _line(proc: subprocess.Popen) -> dict:
    line = proc.stdout.readline()
    if not line:
        raise RuntimeError(f"a bench process ended early: {proc.stderr.read()}")
    return json.loads(line)


def run(url: str, size: int, desks: int = 3) -> dict:
    """Import `size` applications into `url` while `desks` processes save; returns the figures."""
    os.environ.setdefault("CASEWORKER_TODAY", TODAY)
    case_ids = _setup(url, desks)
    with tempfile.TemporaryDirectory() as scratch:
        path, stop = Path(scratch) / "applications.json", Path(scratch) / "stop"
        path.write_text(json.dumps([application(n) for n in range(size)]))
        workers = [_child("desk", str(case_id), f"desk{n}", str(stop), url=url) for n, case_id in enumerate(case_ids)]
        for worker in workers:
            _line(worker)  # ready
        importer = _child("import", str(path), url=url)
        imported = _line(importer)
        stop.touch()
        results = [_line(worker) for worker in workers]
        for proc in (importer, *workers):
            proc.communicate(timeout=60)
    return {"size": size, "desks": desks, "database": url.split("://")[0], "import_seconds": imported["seconds"],
            "imported": imported["cases"], "import_error": imported.get("error"),
            "saves": sum(r["saved"] for r in results), "failed": sum(r["failed"] for r in results),
            "errors": [e for r in results for e in r["errors"]][:5],
            "longest_save_seconds": max((r["longest"] for r in results), default=0.0)}


def desk(case_id: int, username: str, stop: Path) -> None:
    """Save steps on the case until `stop` exists; then print what was saved and what failed."""
    from caseworker_tui.models import bind
    from caseworker_tui.services import workflow
    from caseworker_tui.services.permissions import Actor

    bind(os.environ["CASEWORKER_DATABASE_URL"])
    actor = Actor(username, username.title(), "caseworker")
    saved = failed = 0
    errors: list[str] = []
    longest = 0.0
    print(json.dumps({"ready": os.getpid()}), flush=True)
    while not stop.exists():
        started = time.perf_counter()
        try:
            workflow.add_note(case_id, actor, f"{username} note {saved}")
            workflow.triage(case_id, actor, {"children": saved % 2 == 0})
            saved += 2
        except Exception as exc:  # noqa: BLE001 - every failure a person would have seen is counted
            failed += 1
            errors.append(f"{type(exc).__name__}: {exc}")
        longest = max(longest, time.perf_counter() - started)
        time.sleep(0.05)
    print(json.dumps({"saved": saved, "failed": failed, "errors": errors[:5], "longest": round(longest, 3)}), flush=True)


def import_one(path: Path) -> None:
    from caseworker_tui.models import bind
    from caseworker_tui.services import intake
    from caseworker_tui.services.permissions import Actor

    bind(os.environ["CASEWORKER_DATABASE_URL"])
    started = time.perf_counter()
    try:
        created = intake.import_file(path, Actor("importer", "Importer", "caseworker"))
        result = {"cases": len(created)}
    except Exception as exc:  # noqa: BLE001 - reported, so the desks are still stopped and counted
        result = {"cases": 0, "error": f"{type(exc).__name__}: {exc}"}
    print(json.dumps({**result, "seconds": round(time.perf_counter() - started, 2)}), flush=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench import-load")
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--desks", type=int, default=3)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if args.db == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="import-load-"))
        url = f"sqlite:///{folder / 'cases.sqlite'}"
    else:
        url = POSTGRES  # emptied first: the figure is for an import into a database of this size alone
        _empty_postgres(url)
    figures = run(url, args.size, args.desks)
    print(f"{figures['size']:,} applications on {figures['database']}: imported in {figures['import_seconds']:.1f} s "
          f"while {figures['desks']} desks saved {figures['saves']:,} times; failed saves: {figures['failed']}; "
          f"longest save {figures['longest_save_seconds']:.2f} s")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0 if figures["failed"] == 0 and not figures["import_error"] else 1


def _empty_postgres(url: str) -> None:
    import psycopg2

    from caseworker_tui.models import ALL_MODELS, bind

    server = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    server.autocommit = True
    with server.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (url.rsplit("/", 1)[1],))
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{url.rsplit("/", 1)[1]}"')
    server.close()
    database = bind(url)
    with database.connection_context():
        database.drop_tables(ALL_MODELS, safe=True, cascade=True)
        database.execute_sql("DROP TABLE IF EXISTS schema_migration")


if __name__ == "__main__":
    mode, *rest = sys.argv[1:]
    if mode == "desk":
        desk(int(rest[0]), rest[1], Path(rest[2]))
    elif mode == "import":
        import_one(Path(rest[0]))
    else:
        raise SystemExit(main(sys.argv[1:]))
