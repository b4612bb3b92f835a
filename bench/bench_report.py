"""The class report at the end of term: a session log of 10,000 sessions for 300 students.

    python3 bench/bench_report.py                          # 10,000 sessions, 300 students
    python3 bench/bench_report.py --sessions 2000 --students 60   # a quick look

The log is made from real sessions: the sandbox records one session of each kind of student
client (right, wrong password, HELO only, bare LF, a missing CRLF, undeclared UTF-8) by the
template student; each of the log's sessions is one of these, its address changed to one of
the roster's students, with its own id and times. Then ``smtp-explorer report`` runs as the
instructor runs it, in a child process, once with ``--format csv`` and once with
``--format html`` (with a rubric), and the wall time and the child's peak memory of each are
printed (and its CPU time, workers included: on a busy machine the wall time is mostly waiting
for a core; the report walks sessions on every core, see ``explorer/reports/parallel.py``),
against the targets (5 s, 500 MB). Exit status 1 if a target is missed or the report
fails.
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

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS, TARGET_MB = 5.0, 500.0
TEMPLATE = "s000@lab.test"

# Run in the child: the report, then its CPU time and peak memory, its workers included (Unix;
# "n/a" elsewhere).
CHILD = """
import sys
from explorer.commands import main
status = main(sys.argv[1:])
try:
    import resource
    from explorer.reports.parallel import workers
    unit = 1024 * 1024 if sys.platform == "darwin" else 1024
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)  # the report's worker processes
    cpu = own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
    # At most: this process at its peak, and every worker at the largest one's peak at once
    # (forked workers share pages with it, so the true sum is lower).
    peak_mb = (own.ru_maxrss + workers() * kids.ru_maxrss) / unit
    print(f"cpu-s {cpu:.2f} peak-mb {peak_mb:.1f} workers {workers() if kids.ru_maxrss else 0}",
          file=sys.stderr)
except ImportError:
    print("cpu-s n/a peak-mb n/a workers n/a", file=sys.stderr)
sys.exit(status)
"""


def record_templates(folder: Path) -> list[dict]:
    """One real session of each kind of client, recorded by the sandbox's own log."""
    sys.path.insert(0, str(ROOT / "tests"))
    import class_clients as kinds  # the clients of the class-lab test

    from explorer.sandbox import Sandbox
    from explorer.sandbox.roster import Student

    template = Student("s000", "", TEMPLATE, "template-pass", "templatecodexxxx")
    clients = [kinds.right, kinds.right, kinds.wrong_password, kinds.helo_only, kinds.bare_lf,
               kinds.missing_crlf, kinds.undeclared_utf8]
    box = Sandbox(data_dir=folder, accounts=[template.account()], include_default_accounts=False)
    box.start()
    try:
        for client in clients:
            client(box.port, template)
        box.wait_until_idle()
    finally:
        box.stop()
    lines = (folder / "sessions.jsonl").read_text(encoding="ascii").splitlines()
    return [json.loads(line) for line in lines]


def build_log(templates: list[dict], sessions: int, students: int, path: Path) -> int:
    """Write ``sessions`` sessions spread over ``students``; returns the log's size in bytes."""
    start = time.time() - sessions * 60.0
    texts = [json.dumps(t) for t in templates]
    with open(path, "w", encoding="ascii") as out:
        for serial in range(sessions):
            number = serial % students + 1
            text = texts[serial % len(texts)].replace(TEMPLATE, f"s{number:03d}@lab.test")
            text = text.replace("s000", f"s{number:03d}")  # the Subject carries the id
            entry = json.loads(text)
            shift = start + serial * 60.0 - entry["started_at"]
            entry["id"] = serial + 1
            entry["started_at"] += shift
            entry["ended_at"] += shift
            entry["chunks"] = [[c[0] + shift, c[1], c[2]] for c in entry["chunks"]]
            out.write(json.dumps(entry) + "\n")
    return path.stat().st_size


def run_report(data: Path, form: str, rubric: Path) -> tuple[float, str, str, str, int]:
    target = data.parent / f"report.{form}"
    begin = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", CHILD, "report", "--data-dir", str(data),
                           "--rubric", str(rubric), "--format", form, "-o", str(target)],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    seconds = time.perf_counter() - begin
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr)
        raise SystemExit(f"report --format {form} failed")
    figures = done.stderr.strip().splitlines()[-1].split()
    return seconds, figures[1], figures[3], figures[5], target.stat().st_size


def load_average() -> str:
    """The machine's 1-minute load average (Unix; "n/a" elsewhere), to judge the wall times by."""
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except (AttributeError, OSError):
        return "n/a"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--students", type=int, default=300)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from explorer.sandbox.roster import generate, write_public

    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        folder = Path(tmp)
        templates = record_templates(folder / "templates")
        data = folder / "data"
        data.mkdir()
        write_public(data, generate(args.students, "s", "lab.test"))
        size = build_log(templates, args.sessions, args.students, data / "sessions.jsonl")
        rubric = folder / "rubric.toml"
        rubric.write_text((ROOT / "docs" / "rubric.md").read_text(encoding="utf-8")
                          .split("```toml\n", 1)[1].split("```", 1)[0], encoding="utf-8")
        print(f"log: {args.sessions} sessions of {len(templates)} recorded kinds, "
              f"{args.students} students, {size / 1e6:.1f} MB; {os.cpu_count()} CPUs, "
              f"load average {load_average()}")
        failed = False
        for form in ("csv", "html"):
            seconds, cpu, peak, used, out_size = run_report(data, form, rubric)
            ok = seconds < TARGET_SECONDS and (peak == "n/a" or float(peak) < TARGET_MB)
            failed |= not ok
            print(f"report --format {form:<4}  {seconds:6.2f} s wall  {cpu} s CPU ({used} workers)"
                  f"  peak {peak} MB"
                  f"  output {out_size / 1e6:.1f} MB  (targets < {TARGET_SECONDS:.0f} s, "
                  f"< {TARGET_MB:.0f} MB): {'ok' if ok else 'MISSED'}; load average {load_average()}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
