"""Sandbox accounts: who may AUTH, with which secret, and which addresses are known mailboxes.

An account has a login password and, optionally, an SMTP authorization code (what QQ Mail, 163
and Gmail's app passwords call the secret a mail client must use instead of the login password).
Both are accepted normally; the ``auth-code`` scenario, or ``require_code`` on one account, makes
the login password fail with 535 and a hint, as those providers do.

Accounts come from three places: the two defaults (always present), ``--account USER:SECRET``
(or ``USER:PASSWORD:CODE``), and a TOML file (``--accounts FILE``) in this format::

    [[account]]
    username = "alice@sandbox.test"   # required; a bare name gets "@sandbox.test" as its address
    password = "alice-pass"           # required: the login password
    code = "qwertyuiopasdfgh"         # optional: the SMTP authorization code
    require_code = false              # optional: refuse the login password even without auth-code
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Iterable

from explorer.knowledge.keyed import KeyedError

__all__ = [
    "Account",
    "AccountError",
    "AccountBook",
    "AuthVerdict",
    "DEFAULT_ACCOUNTS",
    "SANDBOX_DOMAIN",
    "load_accounts_file",
    "check_username",
    "parse_account_spec",
]

SANDBOX_DOMAIN = "sandbox.test"


class AccountError(KeyedError, ValueError):
    """An account that cannot be used: entry ``key`` of ``knowledge/account_errors``. ``where``
    (an entry of the same table and its values) says which account, in the same language."""

    table = "account_errors"

    def __init__(self, key: str, where: tuple[str, dict[str, object]] | None = None, **values: object):
        self.where = where
        super().__init__(key, **values)

    def text(self, lang: str = "en") -> str:
        from explorer.knowledge.tables import text

        values = dict(self.values)
        if self.where is not None:
            values["where"] = text(self.table, self.where[0], lang, **self.where[1])
        return text(self.table, self.key, lang, **values)


@dataclass(frozen=True)
class Account:
    """One sandbox user: ``username`` for AUTH, a login ``password``, an optional ``auth_code``."""

    username: str
    password: str
    auth_code: str | None = None
    require_code: bool = False

    @property
    def address(self) -> str:
        """The mailbox address of this account (a bare username gets the sandbox domain)."""
        return self.username if "@" in self.username else f"{self.username}@{SANDBOX_DOMAIN}"

    def describe(self, lang: str = "en") -> str:
        """One line for the start-up banner: the secrets are printed on purpose (a sandbox)."""
        from explorer.knowledge.tables import text as table_text

        def say(key: str, **values: object) -> str:
            return table_text("sandbox_console", key, lang, **values)

        text = say("account", username=self.username, password=self.password)
        if self.auth_code:
            text += say("account-code", code=self.auth_code)
        if self.require_code:
            text += say("account-code-required")
        return text


DEFAULT_ACCOUNTS: tuple[Account, ...] = (
    Account("learner@sandbox.test", "password123", "abcdefghijklmnop"),
    Account("friend@sandbox.test", "friend123", "qrstuvwxyzabcdef"),
)

# Postmaster must always be deliverable (RFC 5321 4.5.1), even under unknown-recipient.
_ALWAYS_KNOWN = ("postmaster", f"postmaster@{SANDBOX_DOMAIN}")


class AuthVerdict(Enum):
    """What a username/secret pair amounts to."""

    OK = "ok"
    CODE_REQUIRED = "code-required"  # the login password, where the code is required
    INVALID = "invalid"


def check_username(username: str, where: tuple[str, dict[str, object]]) -> str:
    """The username stripped; a one-line :class:`AccountError` (saying ``where``, an entry of
    ``account_errors`` and its values) if unusable."""
    username = username.strip()
    if not username:
        raise AccountError("username-empty", where)
    if any(ch.isspace() or ord(ch) < 0x20 or ch in "<>/\\" for ch in username):
        raise AccountError("username-characters", where, username=repr(username))
    if username.count("@") > 1 or username.startswith("@") or username.endswith("@"):
        raise AccountError("not-an-address", where, username=repr(username))
    return username


def parse_account_spec(spec: str) -> Account:
    """Parse ``USER:SECRET`` or ``USER:PASSWORD:CODE``; a one-line :class:`AccountError` otherwise."""
    parts = spec.split(":")
    if len(parts) not in (2, 3):
        raise AccountError("spec", spec=repr(spec))
    where = ("where-option", {"username": repr(parts[0])})
    username = check_username(parts[0], where)
    password = parts[1]
    if not password:
        raise AccountError("password-empty", where)
    code = parts[2] if len(parts) == 3 else None
    if code is not None and not code:
        raise AccountError("code-empty", where)
    return Account(username, password, code)


def load_accounts_file(path: Path) -> list[Account]:
    """Read accounts from a TOML file (format in the module docstring); :class:`AccountError` if bad."""
    import tomllib  # only when a file is given: the REPL starts without it

    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise AccountError("cannot-read", path=path, reason=exc.strerror or exc) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise AccountError("not-toml", path=path, reason=exc) from None
    entries = data.get("account")
    unknown = set(data) - {"account"}
    if unknown:
        raise AccountError("file-unknown-key", path=path, name=repr(sorted(unknown)[0]))
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise AccountError("no-tables", path=path)
    accounts = []
    for number, entry in enumerate(entries, 1):
        where = ("where-file", {"path": path, "number": number})
        extra = set(entry) - {"username", "password", "code", "require_code"}
        if extra:
            raise AccountError("unknown-key", where, name=repr(sorted(extra)[0]))
        username, password = entry.get("username"), entry.get("password")
        code, require_code = entry.get("code"), entry.get("require_code", False)
        if not isinstance(username, str):
            raise AccountError("username-not-string", where)
        if not isinstance(password, str) or not password:
            raise AccountError("password-not-string", where)
        if code is not None and (not isinstance(code, str) or not code):
            raise AccountError("code-not-string", where)
        if not isinstance(require_code, bool):
            raise AccountError("require-code-not-bool", where)
        if require_code and code is None:
            raise AccountError("require-code-needs-code", where)
        accounts.append(Account(check_username(username, where), password, code, require_code))
    return accounts


class AccountBook:
    """Look-ups over a fixed list of accounts; usernames and addresses are case-insensitive."""

    def __init__(self, accounts: Iterable[Account]):
        self.accounts: list[Account] = list(accounts)
        self._by_name: dict[str, Account] = {}
        for account in self.accounts:
            for key in {account.username.lower(), account.address.lower()}:
                if key in self._by_name and self._by_name[key] is not account:
                    raise AccountError("defined-twice", username=repr(account.username))
                self._by_name[key] = account
        self._addresses = {a.address.lower() for a in self.accounts} | set(_ALWAYS_KNOWN)
        self._domains = {a.rpartition("@")[2] for a in self._addresses if "@" in a} | {
            SANDBOX_DOMAIN}

    def find(self, username: str) -> Account | None:
        """The account with this username or address, if any."""
        return self._by_name.get(username.strip().lower())

    def is_known_address(self, address: str) -> bool:
        """Whether RCPT TO ``address`` names a sandbox mailbox (for unknown-recipient)."""
        return address.lower() in self._addresses

    def is_local_domain(self, address: str) -> bool:
        """Whether ``address`` is in a domain the sandbox receives for (its own, or an
        account's): mail to another domain is relayed, which some profiles allow only after AUTH."""
        domain = address.rpartition("@")[2].lower()
        return not domain or domain in self._domains

    def secrets(self, account: Account) -> list[tuple[str, bool]]:
        """The account's secrets as (secret, is_code) pairs, password first."""
        pairs = [(account.password, False)]
        if account.auth_code:
            pairs.append((account.auth_code, True))
        return pairs

    def verdict(self, account: Account, is_code: bool, code_required: bool) -> AuthVerdict:
        """The verdict for a secret that matched: the login password may still be refused."""
        if is_code:
            return AuthVerdict.OK
        if account.auth_code and (code_required or account.require_code):
            return AuthVerdict.CODE_REQUIRED
        return AuthVerdict.OK

    def check(self, username: str, secret: bytes | str,
              code_required: bool) -> tuple[Account | None, AuthVerdict]:
        """Check a username and a plain secret (AUTH LOGIN, AUTH PLAIN), compared as bytes."""
        import hmac  # on first use: keeps the REPL's start-up quick

        account = self.find(username)
        if account is None:
            return None, AuthVerdict.INVALID
        given = secret.encode("utf-8") if isinstance(secret, str) else secret
        for candidate, is_code in self.secrets(account):
            if hmac.compare_digest(candidate.encode("utf-8"), given):
                return account, self.verdict(account, is_code, code_required)
        return account, AuthVerdict.INVALID

    def check_cram_md5(self, username: str, challenge: bytes, digest_hex: str,
                       code_required: bool) -> tuple[Account | None, AuthVerdict]:
        """Check a CRAM-MD5 response (RFC 2195): HMAC-MD5 of the challenge keyed by a secret."""
        import hmac  # on first use: keeps the REPL's start-up quick

        account = self.find(username)
        if account is None:
            return None, AuthVerdict.INVALID
        for candidate, is_code in self.secrets(account):
            expected = hmac.new(candidate.encode("utf-8"), challenge, "md5").hexdigest()
            if hmac.compare_digest(expected.encode(), digest_hex.lower().encode("utf-8",
                                                                               "replace")):
                return account, self.verdict(account, is_code, code_required)
        return account, AuthVerdict.INVALID
