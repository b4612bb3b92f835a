"""``smtp-explorer sandbox``: the teaching SMTP server in the foreground until Ctrl-C.

Heavy imports (aiosmtpd, cryptography) happen inside the handler, so ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from explorer.commands.base import UsageError, add_save_arguments
from explorer.sandbox.accounts import DEFAULT_ACCOUNTS, load_accounts_file, parse_account_spec
from explorer.sandbox.profile import DEFAULT_PROFILE, PROFILE_NAMES, profile_summaries
from explorer.sandbox.scenarios import SCENARIOS, validate_scenario
from explorer.sandbox.storage import DATA_ENV

__all__ = ["register"]

DEFAULT_PORT = 1025  # courses already grade the assignment against it
DEFAULT_TLS_PORT = 1465  # implicit TLS, as 465, for the profiles that have it


def _epilog() -> str:
    width = max(len(name) for name in SCENARIOS)
    scenario_lines = "\n".join(f"  {name:<{width}}  {text}" for name, text in SCENARIOS.items())
    width = max(len(name) for name in PROFILE_NAMES)
    profile_lines = "\n".join(f"  {name:<{width}}  {text}"
                              for name, text in profile_summaries().items())
    accounts = "\n".join(f"  {a.describe()}" for a in DEFAULT_ACCOUNTS)
    return f"""\
profiles (--profile NAME: the server the sandbox behaves like; scenarios combine with it):
{profile_lines}

scenarios (--scenario, repeatable; or type 'scenario NAME...' while it runs):
{scenario_lines}

default accounts (present unless --roster is given; the domain is sandbox.test):
{accounts}

--accounts FILE is TOML, one [[account]] table per account:
  [[account]]
  username = "alice@sandbox.test"
  password = "alice-pass"          # the login password
  code = "qwertyuiopasdfgh"        # optional: the SMTP authorization code
  require_code = false             # optional: refuse the password even without auth-code

--roster CSV (class mode; make one with 'smtp-explorer accounts generate'): a header row, then
one row per student. Columns: id (required), name, address (required; the AUTH username too),
password, code; a missing password or code is generated and written back to the file (owner-only).

data directory: --data-dir, else ${DATA_ENV}/sandbox, else sandbox/ in the system's data
folder (Linux: ~/.local/share/smtp-explorer, macOS: ~/Library/Application Support/smtp-explorer,
Windows: %LOCALAPPDATA%\\smtp-explorer). It holds mail/<recipient>/{{tmp,new,cur}} (Maildir),
tls/cert.pem (made on first use; trust it in your client) and sessions.jsonl (the session log,
AUTH secrets masked unless --log-credentials).
"""


def _scenario(text: str) -> str:
    try:
        return validate_scenario(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _profile(text: str) -> str:
    name = text.strip().lower()
    if name not in PROFILE_NAMES:
        raise argparse.ArgumentTypeError(f"unknown profile {text!r} (known: "
                                         f"{', '.join(PROFILE_NAMES)})")
    return name


def _account(text: str):
    try:
        return parse_account_spec(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive(kind: type):
    def convert(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"{text!r} must be greater than 0")
        return value
    return convert


def _port(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535)")
    return int(text)


def register(subparsers: argparse._SubParsersAction) -> None:
    sandbox = subparsers.add_parser(
        "sandbox", help="run the teaching SMTP server (loopback, port 1025) until Ctrl-C",
        description="Run the sandbox: a real SMTP server for one learner or a whole class, "
        "with STARTTLS, AUTH LOGIN/PLAIN/CRAM-MD5, a Maildir per recipient, and scenarios "
        "that give every failure a real provider can give, on purpose.",
        epilog=_epilog(), formatter_class=argparse.RawDescriptionHelpFormatter)
    sandbox.add_argument("--host", default="127.0.0.1",
                         help="address to listen on (default 127.0.0.1; anything else warns)")
    sandbox.add_argument("--port", type=_port, default=DEFAULT_PORT,
                         help=f"port (default {DEFAULT_PORT}; 0 lets the system choose)")
    sandbox.add_argument("--tls-port", type=_port, metavar="PORT",
                         help="also listen with TLS from the first byte, as port 465 does "
                         f"(default {DEFAULT_TLS_PORT} for the profiles that have implicit TLS)")
    sandbox.add_argument("--profile", type=_profile, default=DEFAULT_PROFILE, metavar="NAME",
                         help=f"behave like this server (default {DEFAULT_PROFILE}; the list "
                         "is below)")
    sandbox.add_argument("--data-dir", type=Path, help="data directory (see below)")
    sandbox.add_argument("--account", type=_account, action="append", default=[],
                         metavar="USER:SECRET", help="add an account (USER:PASSWORD:CODE for "
                         "one with an authorization code); repeatable")
    sandbox.add_argument("--accounts", type=Path, metavar="FILE",
                         help="add the accounts of a TOML file (format below)")
    sandbox.add_argument("--roster", type=Path, metavar="CSV",
                         help="class mode: the students' accounts from a roster (see below); "
                         "no default accounts, no secret printed")
    sandbox.add_argument("--scenario", type=_scenario, action="append", default=[],
                         metavar="NAME", help="start with this scenario active; repeatable")
    sandbox.add_argument("--allow-plaintext-auth", action="store_true",
                         help="allow AUTH without STARTTLS on a non-loopback address")
    sandbox.add_argument("--idle-timeout", type=_positive(float), default=300.0,
                         metavar="SECONDS", help="close with 421 a session that sends no line "
                         "for this long (default 300)")
    sandbox.add_argument("--command-timeout", type=_positive(float), default=60.0,
                         metavar="SECONDS", help="close with 421 a session whose line (a command "
                         "or a line of a message) takes longer from first octet to line end "
                         "(default 60)")
    sandbox.add_argument("--max-sessions", type=_positive(int), default=1000, metavar="N",
                         help="concurrent sessions before new ones get 421 (default 1000)")
    sandbox.add_argument("--max-message-size", type=_positive(int), default=None,
                         metavar="OCTETS", help="largest message accepted (default: the "
                         "profile's SIZE, else 10 MiB)")
    sandbox.add_argument("--log-credentials", action="store_true",
                         help="keep AUTH secrets in the session log on disk (masked by default)")
    sandbox.add_argument("--inspect", action="store_true",
                         help="print each session as an annotated transcript when it ends: "
                         "every line both ways, each reply explained, the client's mistakes")
    add_save_arguments(sandbox, per_session=True)
    sandbox.set_defaults(handler=_run_sandbox)



def _run_sandbox(args: argparse.Namespace) -> int:
    from explorer.core.render import visible_text
    from explorer.sandbox import runner
    from explorer.sandbox.profile import load_profile
    from explorer.sandbox.server import Sandbox, SandboxError

    accounts = list(args.account)
    if args.accounts is not None:
        try:
            accounts += load_accounts_file(args.accounts)
        except ValueError as exc:
            raise UsageError(str(exc)) from None

    roster = None
    if args.roster is not None:
        from explorer.sandbox.roster import accounts_of, fill_secrets

        try:
            students, missing = fill_secrets(args.roster)
        except ValueError as exc:
            raise UsageError(visible_text(str(exc))) from None
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
            raise UsageError(str(exc)) from None
        if roster is not None:
            from explorer.sandbox.roster import write_public

            try:  # ids, names and addresses for `smtp-explorer report`; never a secret
                write_public(box.data_dir, students)
            except OSError as exc:
                raise UsageError(f"cannot write to the data directory "
                                 f"{visible_text(str(box.data_dir))}: {exc.strerror or exc}") \
                    from None
        return box

    on_session = None
    if args.save is not None:
        from explorer.reports.options import sandbox_saver

        on_session = sandbox_saver(args.save, args.reveal_secrets)
    if args.inspect:
        from explorer.reports.inspector import printer

        on_session = printer(on_session)  # the transcript first, then --save if given
    try:
        return runner.run(make, on_session=on_session, lang=args.lang)
    except SandboxError as exc:
        raise UsageError(str(exc)) from None


# Stop signals kept since start-up (explorer.stopping) are the runner's to act on.
_run_sandbox.keeps_stop_signals = True  # type: ignore[attr-defined]
