"""``smtp-explorer lesson list | check PATH... | NAME|PATH [--auto] [--set var=value]...``."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from explorer.commands.base import UsageError, add_save_arguments, print_problems

__all__ = ["register"]

EPILOG = """\
lessons:
  smtp-explorer lesson list [--dir DIR]        the bundled lessons, and those in DIR
  smtp-explorer lesson check PATH...           validate lesson files (exit 1 on any problem)
  smtp-explorer lesson NAME|PATH               run a lesson in the explorer (resumes where you left)
  smtp-explorer lesson NAME|PATH --auto        the autopilot: send every step, print verdicts

A lesson runs against the embedded sandbox unless it says it needs any server and --server is
given. The format is documented in lessons/README.md.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "lesson", help="list, check or run lessons (step-by-step scripts for a course)",
        description="Run a lesson step by step in the explorer, or check lessons before class.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("lesson", metavar="NAME|PATH|list|check", help="a lesson, or list, or check")
    p.add_argument("paths", nargs="*", metavar="PATH", help="with check: the lesson files to validate")
    p.add_argument("--dir", type=Path, help="another folder of lessons (for list and for names)")
    p.add_argument("--set", action="append", default=[], metavar="VAR=VALUE", help="override a lesson variable")
    p.add_argument("--auto", action="store_true", help="the autopilot: send each step, print verdicts, exit 0 if all pass")
    p.add_argument("--restart", action="store_true", help="start from the first step instead of resuming")
    p.add_argument("--server", metavar="HOST[:PORT]", help="run against this server instead of the sandbox")
    p.add_argument("--starttls", action="store_true", help="with --server: STARTTLS (port 587)")
    p.add_argument("--tls", action="store_true", help="with --server: TLS from the start (port 465)")
    p.add_argument("--insecure", action="store_true", help="with --server: do not verify the certificate")
    p.add_argument("--timeout", type=float, default=10.0, metavar="S", help="seconds to wait for a reply")
    add_save_arguments(p)
    p.set_defaults(handler=run_lesson_command)


def run_lesson_command(args: argparse.Namespace) -> int:
    if args.lesson == "list":
        return _list(args)
    if args.lesson == "check":
        return _check(args)
    if args.paths:
        raise UsageError(f"unexpected arguments after the lesson: {' '.join(args.paths)}")
    return _run(args)


def _list(args: argparse.Namespace) -> int:
    from explorer.lessons.loader import LessonError, lesson_name, list_lessons, load_lesson
    from explorer.lessons.progress import load_progress

    if args.dir is not None and not args.dir.is_dir():
        raise UsageError(f"--dir {args.dir}: no such folder")
    paths = list_lessons(args.dir)
    if not paths:
        print("no lessons found")
        return 0
    from explorer.lessons.texts import text
    from explorer.width import pad

    progress = load_progress()
    for path in paths:
        try:
            lesson = load_lesson(path, args.lang)
            mark = _progress_mark(progress.get(str(path.resolve())), len(lesson.steps), args.lang)
            # The mark goes last: its width on the terminal depends on the language.
            level = text(f"level-{lesson.level}", args.lang)
            print(f"{lesson.name:<22} {pad(level, 13)} {text('list-steps', args.lang, n=len(lesson.steps))}  "
                  f"{lesson.title}"
                  + (f"  [{mark}]" if mark else ""))
        except LessonError as exc:
            print(f"{lesson_name(path):<22} (broken: {len(exc.problems)} problem(s); lesson check {path})")
    return 0


def _progress_mark(progress, steps: int, lang: str) -> str:
    """``done``, ``at step N`` (a lesson begun and left), or nothing."""
    from explorer.lessons.texts import text

    if progress is None:
        return ""
    if progress.done:
        return text("list-done", lang)
    return text("list-at", lang, n=progress.step + 1) if 0 < progress.step < steps else ""


def _check(args: argparse.Namespace) -> int:
    from explorer.lessons.loader import check_lesson

    if not args.paths:
        raise UsageError("lesson check needs at least one lesson file")
    return print_problems(args.paths, check_lesson)


def _variables(lesson, pairs: list[str]) -> dict[str, str]:
    variables = dict(lesson.variables)
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise UsageError(f"--set {pair!r}: write --set NAME=VALUE")
        if name not in variables:
            raise UsageError(f"--set {name}: the lesson has no such variable (it has: {', '.join(variables) or 'none'})")
        variables[name] = value
    return variables


def _target(args: argparse.Namespace):
    from explorer.repl.targets import TargetError, target_from_args

    try:
        return target_from_args(argparse.Namespace(server=args.server, starttls=args.starttls, tls=args.tls,
                                                   insecure=args.insecure, timeout=args.timeout))
    except TargetError as exc:
        raise UsageError(str(exc)) from None


def _run(args: argparse.Namespace) -> int:
    from explorer.client.engine import Target
    from explorer.lessons.loader import LessonError, find_lesson, load_lesson

    try:
        path = find_lesson(args.lesson, args.dir)
        lesson = load_lesson(path, args.lang)
    except LookupError as exc:
        raise UsageError(str(exc)) from None
    except LessonError as exc:
        raise UsageError(f"{path} has problems (smtp-explorer lesson check {path}):\n" + str(exc)) from None
    variables = _variables(lesson, args.set)
    if args.reveal_secrets and args.save is None:
        raise UsageError("--reveal-secrets keeps the AUTH credentials in the file of --save FILE: give --save too")
    if not args.server and (args.starttls or args.tls or args.insecure):
        raise UsageError("--starttls, --tls and --insecure go with --server HOST[:PORT]")
    if args.server:
        return _go(args, lesson, variables, _target(args), None)
    from explorer.sandbox import Sandbox, SandboxError
    from explorer.sandbox.server import LEARNER_COMMAND_TIMEOUT

    with tempfile.TemporaryDirectory(prefix="smtp-explorer-lesson-") as tmp:
        data_dir = Path(tmp) if args.auto else None
        try:
            box = Sandbox(data_dir=data_dir, scenarios=lesson.scenarios, profile=lesson.profile,
                          command_timeout=LEARNER_COMMAND_TIMEOUT).start()
        except SandboxError as exc:
            raise UsageError(f"the sandbox could not start: {exc}") from None
        try:
            target = Target(box.host, box.port, "plain", cafile=str(box.certificate_path), timeout=args.timeout)
            return _go(args, lesson, variables, target, box)
        finally:
            box.stop()


def _go(args, lesson, variables, target, box) -> int:
    from explorer.client.engine import Engine

    if args.auto:
        from explorer.lessons.runner import autopilot
        from explorer.reports.options import save_after

        print(f"autopilot: {lesson.title} ({lesson.path}) against {target.label}")
        engine = Engine(target)
        ok = autopilot(lesson, engine, variables, box, print, args.lang)
        return save_after(args, engine) or (0 if ok else 1)
    from explorer.lessons.tutor import run_interactive

    return run_interactive(lesson, variables, target, box, restart=args.restart, save_args=args, lang=args.lang)
