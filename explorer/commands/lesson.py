"""``smtp-explorer lesson list | check PATH... | NAME|PATH [--auto] [--set var=value]...``."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from explorer.commands.base import UsageError, add_save_arguments, help_text, message, print_problems

__all__ = ["register"]

def register(subparsers: argparse._SubParsersAction, lang: str = "en") -> None:
    p = subparsers.add_parser(
        "lesson", help=help_text("lesson.help", lang), description=help_text("lesson.description", lang),
        epilog=help_text("lesson.epilog", lang), formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("lesson", metavar="NAME|PATH|list|check", help=help_text("lesson.lesson", lang))
    p.add_argument("paths", nargs="*", metavar="PATH", help=help_text("lesson.paths", lang))
    p.add_argument("--dir", type=Path, help=help_text("lesson.dir", lang))
    p.add_argument("--set", action="append", default=[], metavar="VAR=VALUE", help=help_text("lesson.set", lang))
    p.add_argument("--auto", action="store_true", help=help_text("lesson.auto", lang))
    p.add_argument("--restart", action="store_true", help=help_text("lesson.restart", lang))
    p.add_argument("--server", metavar="HOST[:PORT]", help=help_text("lesson.server", lang))
    p.add_argument("--starttls", action="store_true", help=help_text("lesson.starttls", lang))
    p.add_argument("--tls", action="store_true", help=help_text("lesson.tls", lang))
    p.add_argument("--insecure", action="store_true", help=help_text("lesson.insecure", lang))
    p.add_argument("--timeout", type=float, default=10.0, metavar="S", help=help_text("lesson.timeout", lang))
    add_save_arguments(p)
    p.set_defaults(handler=run_lesson_command)


def run_lesson_command(args: argparse.Namespace) -> int:
    if args.lesson == "list":
        return _list(args)
    if args.lesson == "check":
        return _check(args)
    if args.paths:
        raise UsageError(message("lesson-extra-arguments", args.lang, arguments=" ".join(args.paths)))
    return _run(args)


def _list(args: argparse.Namespace) -> int:
    from explorer.lessons.loader import LessonError, lesson_name, list_lessons, load_lesson
    from explorer.lessons.progress import load_progress

    if args.dir is not None and not args.dir.is_dir():
        raise UsageError(message("lesson-no-dir", args.lang, path=args.dir))
    paths = list_lessons(args.dir)
    if not paths:
        print(message("lesson-none-found", args.lang))
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
            print(f"{lesson_name(path):<22} {text('list-broken', args.lang, count=len(exc.problems), path=path)}")
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
        raise UsageError(message("lesson-check-needs-files", args.lang))
    return print_problems(args.paths, check_lesson, args.lang)


def _variables(lesson, pairs: list[str], lang: str) -> dict[str, str]:
    from explorer.lessons.texts import text

    variables = dict(lesson.variables)
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise UsageError(text("set-syntax", lang, pair=repr(pair)))
        if name not in variables:
            raise UsageError(text("set-unknown", lang, name=name,
                                  names=", ".join(variables) or text("none", lang)))
        variables[name] = value
    return variables


def _target(args: argparse.Namespace):
    from explorer.repl.targets import TargetError, target_from_args

    try:
        return target_from_args(argparse.Namespace(server=args.server, starttls=args.starttls, tls=args.tls,
                                                   insecure=args.insecure, timeout=args.timeout))
    except TargetError as exc:
        raise UsageError(exc.text(args.lang)) from None


def _run(args: argparse.Namespace) -> int:
    from explorer.client.engine import Target
    from explorer.lessons.loader import LessonError, LessonNotFound, find_lesson, load_lesson

    try:
        path = find_lesson(args.lesson, args.dir)
        lesson = load_lesson(path, args.lang)
    except LessonNotFound as exc:
        raise UsageError(exc.text(args.lang)) from None
    except LessonError as exc:
        raise UsageError(message("lesson-has-problems", args.lang, path=path) + "\n"
                         + "\n".join(p.render(args.lang) for p in exc.problems)) from None
    variables = _variables(lesson, args.set, args.lang)
    if args.reveal_secrets and args.save is None:
        raise UsageError(message("reveal-needs-save", args.lang))
    if not args.server and (args.starttls or args.tls or args.insecure):
        raise UsageError(message("server-options", args.lang))
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
            raise UsageError(message("sandbox-cannot-start", args.lang, error=exc.text(args.lang))) from None
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

        print(message("autopilot", args.lang, title=lesson.title, path=lesson.path, target=target.label))
        engine = Engine(target)
        ok = autopilot(lesson, engine, variables, box, print, args.lang)
        return save_after(args, engine) or (0 if ok else 1)
    from explorer.lessons.tutor import run_interactive

    return run_interactive(lesson, variables, target, box, restart=args.restart, save_args=args, lang=args.lang)
