"""``smtp-explorer sandbox``: the teaching SMTP server in the foreground until Ctrl-C.

Heavy imports (aiosmtpd, cryptography) happen inside the handler, so ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from explorer.commands.base import UsageError, add_save_arguments, help_text, message
from explorer.commands.values import BadValue, typed
from explorer.sandbox.accounts import DEFAULT_ACCOUNTS, load_accounts_file, parse_account_spec
from explorer.sandbox.profile import DEFAULT_PROFILE, PROFILE_NAMES, load_profile, profile_summaries
from explorer.sandbox.scenarios import SCENARIOS, validate_scenario
from explorer.sandbox.storage import DATA_ENV

__all__ = ["register"]

DEFAULT_PORT = 1025  # courses already grade the assignment against it
DEFAULT_TLS_PORT = 1465  # implicit TLS, as 465, for the profiles that have it


def _columns(texts: dict[str, str]) -> str:
    """``name  text`` lines for the epilog: a Chinese text wrapped under its column by display
    width (an English one is kept on one line, as before)."""
    from explorer.width import fill, is_wide

    width = max(len(name) for name in texts)
    return "\n".join(
        fill(text, 78, indent=f"  {name:<{width}}  ", hanging=" " * (width + 4)) if is_wide(text)
        else f"  {name:<{width}}  {text}" for name, text in texts.items())


def _epilog(lang: str) -> str:
    from explorer.sandbox.texts import SCENARIO_DESCRIPTIONS

    scenario_lines = _columns(SCENARIO_DESCRIPTIONS.get(lang, SCENARIOS))
    profile_lines = _columns(profile_summaries(lang))
    accounts = "\n".join(f"  {a.describe(lang)}" for a in DEFAULT_ACCOUNTS)
    return help_text("sandbox.epilog", lang, profiles=profile_lines, scenarios=scenario_lines,
                     accounts=accounts, data_env=DATA_ENV)


def _profile(text: str) -> str:
    return load_profile(text).name  # ProfileError names the known profiles


def _positive(kind: type):
    def convert(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise BadValue("not-a-number", value=repr(text)) from None
        if not value > 0:
            raise BadValue("not-positive", value=repr(text))
        return value
    convert.__name__ = kind.__name__
    return convert


def _port(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 0 <= int(text) <= 65535:
        raise BadValue("not-a-port", value=repr(text))
    return int(text)


def register(subparsers: argparse._SubParsersAction, lang: str = "en") -> None:
    sandbox = subparsers.add_parser(
        "sandbox", help=help_text("sandbox.help", lang), description=help_text("sandbox.description", lang),
        epilog=_epilog(lang), formatter_class=argparse.RawDescriptionHelpFormatter)
    sandbox.add_argument("--host", default="127.0.0.1",
                         help=help_text("sandbox.host", lang))
    sandbox.add_argument("--port", type=typed(_port, lang), default=DEFAULT_PORT,
                         help=help_text("sandbox.port", lang, port=DEFAULT_PORT))
    sandbox.add_argument("--tls-port", type=typed(_port, lang), metavar="PORT",
                         help=help_text("sandbox.tls-port", lang, port=DEFAULT_TLS_PORT))
    sandbox.add_argument("--profile", type=typed(_profile, lang), default=DEFAULT_PROFILE, metavar="NAME",
                         help=help_text("sandbox.profile", lang, profile=DEFAULT_PROFILE))
    sandbox.add_argument("--data-dir", type=Path, help=help_text("sandbox.data-dir", lang))
    sandbox.add_argument("--account", type=typed(parse_account_spec, lang), action="append", default=[],
                         metavar="USER:SECRET", help=help_text("sandbox.account", lang))
    sandbox.add_argument("--accounts", type=Path, metavar="FILE",
                         help=help_text("sandbox.accounts", lang))
    sandbox.add_argument("--roster", type=Path, metavar="CSV",
                         help=help_text("sandbox.roster", lang))
    sandbox.add_argument("--scenario", type=typed(validate_scenario, lang), action="append", default=[],
                         metavar="NAME", help=help_text("sandbox.scenario", lang))
    sandbox.add_argument("--allow-plaintext-auth", action="store_true",
                         help=help_text("sandbox.allow-plaintext-auth", lang))
    sandbox.add_argument("--idle-timeout", type=typed(_positive(float), lang), default=300.0,
                         metavar="SECONDS", help=help_text("sandbox.idle-timeout", lang))
    sandbox.add_argument("--command-timeout", type=typed(_positive(float), lang), default=60.0,
                         metavar="SECONDS", help=help_text("sandbox.command-timeout", lang))
    sandbox.add_argument("--max-sessions", type=typed(_positive(int), lang), default=1000, metavar="N",
                         help=help_text("sandbox.max-sessions", lang))
    sandbox.add_argument("--max-message-size", type=typed(_positive(int), lang), default=None,
                         metavar="OCTETS", help=help_text("sandbox.max-message-size", lang))
    sandbox.add_argument("--log-credentials", action="store_true",
                         help=help_text("sandbox.log-credentials", lang))
    sandbox.add_argument("--inspect", action="store_true",
                         help=help_text("sandbox.inspect", lang))
    add_save_arguments(sandbox, per_session=True)
    sandbox.set_defaults(handler=_run_sandbox)



def _run_sandbox(args: argparse.Namespace) -> int:
    from explorer.core.render import visible_text
    from explorer.knowledge.keyed import error_text
    from explorer.sandbox import runner
    from explorer.sandbox.profile import load_profile
    from explorer.sandbox.server import Sandbox, SandboxError

    accounts = list(args.account)
    if args.accounts is not None:
        try:
            accounts += load_accounts_file(args.accounts)
        except ValueError as exc:
            raise UsageError(visible_text(error_text(exc, args.lang))) from None

    roster = None
    if args.roster is not None:
        from explorer.sandbox.roster import RosterError, accounts_of, fill_secrets

        try:
            students, missing = fill_secrets(args.roster)
        except RosterError as exc:
            raise UsageError(visible_text(exc.text(args.lang))) from None
        if missing:
            from explorer.knowledge.tables import text

            print(text("sandbox_console", "roster-generated", args.lang, n=missing,
                       path=visible_text(str(args.roster))))
        accounts += accounts_of(students)
        roster = args.roster

    tls_port = args.tls_port
    if tls_port is None and load_profile(args.profile).implicit_tls:
        tls_port = DEFAULT_TLS_PORT

    def make(on_event):
        try:
            box = Sandbox(host=args.host, port=args.port, data_dir=args.data_dir,
                          profile=args.profile, tls_port=tls_port,
                           accounts=accounts, scenarios=args.scenario,
                           allow_plaintext_auth=True if args.allow_plaintext_auth else None,
                           idle_timeout=args.idle_timeout, max_sessions=args.max_sessions,
                           command_timeout=args.command_timeout,
                           max_message_size=args.max_message_size, on_event=on_event,
                           log_credentials=args.log_credentials,
                           include_default_accounts=roster is None, roster=roster)
        except ValueError as exc:
            raise UsageError(visible_text(error_text(exc, args.lang))) from None
        if roster is not None:
            from explorer.sandbox.roster import write_public

            try:  # ids, names and addresses for `smtp-explorer report`; never a secret
                write_public(box.data_dir, students)
            except OSError as exc:
                raise UsageError(message("cannot-write-data-dir", args.lang, path=visible_text(str(box.data_dir)),
                                         error=exc.strerror or exc)) from None
        return box

    on_session = None
    if args.save is not None:
        from explorer.reports.options import sandbox_saver

        on_session = sandbox_saver(args.save, args.reveal_secrets, lang=args.lang)
    if args.inspect:
        from explorer.reports.inspector import printer

        # the transcript first, then --save if given; in the console's language, secrets as --save
        on_session = printer(on_session, lang=args.lang, show_secrets=args.reveal_secrets)
    try:
        return runner.run(make, on_session=on_session, lang=args.lang)
    except SandboxError as exc:
        raise UsageError(exc.text(args.lang)) from None


# Stop signals kept since start-up (explorer.stopping) are the runner's to act on.
_run_sandbox.keeps_stop_signals = True  # type: ignore[attr-defined]
