"""The sandbox: a real SMTP server (aiosmtpd) on loopback, configured for teaching.

Embedded use (the REPL, lessons, tests)::

    from explorer.sandbox import Sandbox

    with Sandbox(data_dir=tmp_path, scenarios=["greylist"]) as box:   # port 0: OS chooses
        smtplib.SMTP(box.host, box.port)...
        box.set_scenarios(["auth-code"])       # switch at run time, for the next command
        box.sessions                           # exact bytes both ways, per session
        box.messages()                         # what the Maildir holds

Standalone: ``smtp-explorer sandbox`` (see ``explorer.commands.sandbox``).

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

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from explorer.sandbox.accounts import (DEFAULT_ACCOUNTS, Account, load_accounts_file,
                                           parse_account_spec)
    from explorer.sandbox.recording import Chunk, SandboxEvent, SessionRecord
    from explorer.sandbox.scenarios import SCENARIOS, validate_scenario
    from explorer.sandbox.server import Sandbox, SandboxError
    from explorer.sandbox.storage import StoredMessage, default_data_dir

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

# Every name is imported on first use: the REPL imports one small module of this package at
# start-up (the demo account), and should not pay for the recording, the storage or aiosmtpd.
_HOME = {
    "Account": "accounts", "DEFAULT_ACCOUNTS": "accounts", "load_accounts_file": "accounts",
    "parse_account_spec": "accounts", "Chunk": "recording", "SandboxEvent": "recording",
    "SessionRecord": "recording", "SCENARIOS": "scenarios", "validate_scenario": "scenarios",
    "StoredMessage": "storage", "default_data_dir": "storage", "Sandbox": "server",
    "SandboxError": "server",
}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(importlib.import_module(f"explorer.sandbox.{_HOME[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
