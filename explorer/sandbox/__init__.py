"""The sandbox: a real SMTP server (aiosmtpd) on loopback, configured for teaching.

Embedded use (the REPL, lessons, tests)::

    from explorer.sandbox import Sandbox

    with Sandbox(data_dir=tmp_path, scenarios=["greylist"]) as box:   # port 0: OS chooses
        smtplib.SMTP(box.host, box.port)...
        box.set_scenarios(["auth-code"])       # switch at run time, for the next command
        box.sessions                           # exact bytes both ways, per session
        box.messages()                         # what the Maildir holds

Standalone: ``smtp-explorer sandbox`` (see ``explorer.sandbox.cli``).

Accounts: ``learner@sandbox.test`` (password ``password123``, SMTP authorization code
``abcdefghijklmnop``) and ``friend@sandbox.test`` (``friend123``, ``qrstuvwxyzabcdef``) always
exist; more come from ``Account`` objects, ``--account USER:SECRET[:CODE]`` or a TOML file::

    [[account]]
    username = "alice@sandbox.test"
    password = "alice-pass"
    code = "qwertyuiopasdfgh"     # optional SMTP authorization code
    require_code = false          # optional: refuse the login password even without auth-code

Scenarios: see ``SCENARIOS`` (name -> one line) and ``validate_scenario``.

``Sandbox`` is imported lazily (it pulls in aiosmtpd and cryptography), so the CLI's ``--help``
stays fast; the data tables and parsers here import nothing heavy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from explorer.sandbox.accounts import (DEFAULT_ACCOUNTS, Account, load_accounts_file,
                                       parse_account_spec)
from explorer.sandbox.recording import Chunk, SandboxEvent, SessionRecord
from explorer.sandbox.scenarios import SCENARIOS, validate_scenario
from explorer.sandbox.storage import StoredMessage, default_data_dir

if TYPE_CHECKING:
    from explorer.sandbox.server import Sandbox, SandboxError

__all__ = [
    "Account",
    "Chunk",
    "DEFAULT_ACCOUNTS",
    "SCENARIOS",
    "Sandbox",
    "SandboxError",
    "SandboxEvent",
    "SessionRecord",
    "StoredMessage",
    "default_data_dir",
    "load_accounts_file",
    "parse_account_spec",
    "validate_scenario",
]

_LAZY = {"Sandbox", "SandboxError"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from explorer.sandbox import server

        return getattr(server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
