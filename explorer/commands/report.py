"""``smtp-explorer report``: the class report from the sandbox's session log, with a rubric's
scores; ``smtp-explorer rubric check FILE...``: a rubric's problems as ``file:line``."""

from __future__ import annotations

import argparse
from pathlib import Path

from explorer.commands.base import UsageError, print_problems

__all__ = ["register"]

FORMATS = ("text", "csv", "json", "html")

EPILOG = """\
The students come from --roster, else from the roster the class server keeps in its data
directory (class-roster.csv: ids, names and addresses, never a secret), else from the usernames
in the log. A session belongs to the student AUTH succeeded for, else to the username AUTH was
tried with, else to the MAIL FROM address. csv is one row per student (a grade book's import;
with --rubric a column rubric-NAME per item, score and max_score); json holds every session;
html is one self-contained page with a sortable table and each student's sessions as ladders.
Rubrics are documented in docs/rubric.md; check one with: smtp-explorer rubric check FILE
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    report = subparsers.add_parser(
        "report", help="the class report: per student sessions, messages, mistakes, score",
        description="Report on a class from the sandbox's session log: per student the\n"
        "sessions, the messages delivered (to whom, with which Subject), the first success,\n"
        "the mistakes the linter found, the last session and, with a rubric, the score; and\n"
        "a class summary.", epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    report.add_argument("--data-dir", type=Path, help="the class server's data directory "
                        "(default: the sandbox's)")
    report.add_argument("--roster", type=Path, metavar="CSV", help="the class roster")
    report.add_argument("--rubric", type=Path, metavar="TOML", help="score with this rubric")
    report.add_argument("--format", choices=FORMATS, default="text",
                        help="text (the default), csv, json or html")
    report.add_argument("-o", "--output", type=Path, metavar="FILE",
                        help="write to FILE instead of the screen")
    report.set_defaults(handler=_run_report)

    rubric = subparsers.add_parser(
        "rubric", help="check rubric files (file:line problems)",
        description="Check rubric files before grading: every problem as file:line. The format "
        "is documented in docs/rubric.md.")
    rubric.add_argument("action", choices=["check"], help="what to do (check)")
    rubric.add_argument("paths", nargs="+", type=Path, metavar="FILE", help="rubric files")
    rubric.set_defaults(handler=_run_rubric)


def _roster(args: argparse.Namespace, data_dir: Path):
    from explorer.sandbox.roster import PUBLIC_NAME, read_public

    path = args.roster
    if path is None and (data_dir / PUBLIC_NAME).is_file():
        path = data_dir / PUBLIC_NAME
    return read_public(path) if path is not None else None


def _run_report(args: argparse.Namespace) -> int:
    from explorer.core.render import visible_text
    from explorer.reports.class_log import SessionFileError, read_log
    from explorer.reports.class_report import build_report
    from explorer.reports.rubric import RubricError, load_rubric
    from explorer.sandbox.storage import default_data_dir

    data_dir = args.data_dir if args.data_dir is not None else default_data_dir()
    log = data_dir / "sessions.jsonl"
    try:
        rubric = load_rubric(args.rubric) if args.rubric is not None else None
        roster = _roster(args, data_dir)
        sessions = read_log(log, args.lang) if log.is_file() else []
    except (RubricError, ValueError, SessionFileError) as exc:
        raise UsageError(visible_text(str(exc))) from None
    if not log.is_file() and roster is None:
        raise UsageError(f"no session log at {visible_text(str(log))} and no roster "
                         "(has the class server run? use --data-dir, or --roster)")
    report = build_report(sessions, roster, rubric)
    if args.format == "csv":
        from explorer.reports.class_formats import render_csv as render
    elif args.format == "json":
        from explorer.reports.class_formats import render_json as render
    elif args.format == "html":
        from explorer.reports.class_html import render_class_html as render
    else:
        from explorer.reports.class_formats import render_text as render
    out = render(report, args.lang) if args.format in ("text", "html") else render(report)
    if args.output is None:
        print(out, end="")
        return 0
    try:
        args.output.write_text(out, encoding="utf-8", newline="")
    except OSError as exc:
        raise UsageError(f"cannot write {visible_text(str(args.output))}: "
                         f"{exc.strerror or exc}") from None
    return 0


def _run_rubric(args: argparse.Namespace) -> int:
    from explorer.reports.rubric import check_rubric

    return print_problems(args.paths, check_rubric)
