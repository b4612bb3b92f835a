"""``HOST[:PORT] [--starttls | --tls] [--insecure] [--timeout S]``: where the REPL connects.

One parser for the command line (``smtp-explorer connect``) and the REPL (``/connect``). Without a
port: 465 with --tls, 587 with --starttls, else 25.
"""

from __future__ import annotations

import argparse
import math

from explorer.client.engine import Target
from explorer.knowledge.keyed import KeyedError

__all__ = ["TargetError", "parse_target", "add_target_arguments", "target_from_args", "valid_seconds",
           "MAX_SECONDS"]

DEFAULT_PORTS = {"tls": 465, "starttls": 587, "plain": 25}
MAX_SECONDS = 3600  # an hour: anything longer is a typo, and huge values overflow the socket layer


def valid_seconds(value: float | None) -> bool:
    """A usable timeout: finite, above zero, at most an hour (nan, inf and 1e309 are not)."""
    return value is not None and math.isfinite(value) and 0 < value <= MAX_SECONDS


class TargetError(KeyedError, ValueError):
    """A connection target that cannot be understood (one line; table ``target_errors``)."""

    table = "target_errors"

    def text(self, lang: str = "en") -> str:
        if self.key != "arguments":
            return super().text(lang)
        from explorer.knowledge.argparse_text import translate
        from explorer.knowledge.tables import text

        # argparse's own words (its msgids, in English), said again in ``lang``.
        return text(self.table, self.key, lang, message=translate(str(self.values["message"]), lang))


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise TargetError("arguments", message=message)  # argparse's words: see TargetError.text


def add_target_arguments(parser: argparse.ArgumentParser, lang: str = "en") -> None:
    """HOST[:PORT], --starttls/--tls, --insecure and --timeout, their help in ``lang``."""
    from explorer.knowledge.tables import text

    def say(key: str) -> str:
        return text("cli_help", f"target.{key}", lang)

    parser.add_argument("server", metavar="HOST[:PORT]", help=say("server"))
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--starttls", action="store_true", help=say("starttls"))
    mode.add_argument("--tls", action="store_true", help=say("tls"))
    parser.add_argument("--insecure", action="store_true", help=say("insecure"))
    parser.add_argument("--timeout", type=float, default=10.0, metavar="S", help=say("timeout"))


def _split_host_port(text: str, security: str) -> tuple[str, int]:
    if text.startswith("["):  # [::1]:25
        host, _, rest = text[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    else:
        host, port_text = text, ""
    if not host:
        raise TargetError("no-host", text=repr(text))
    if not port_text:
        return host, DEFAULT_PORTS[security]
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise TargetError("bad-port", port=repr(port_text))
    return host, int(port_text)


def target_from_args(args: argparse.Namespace) -> Target:
    security = "tls" if args.tls else "starttls" if args.starttls else "plain"
    if not valid_seconds(args.timeout):
        raise TargetError("bad-timeout", most=MAX_SECONDS)
    host, port = _split_host_port(args.server, security)
    return Target(host, port, security, args.insecure, None, args.timeout)


def parse_target(words: list[str]) -> Target:
    parser = _Parser(prog="/connect", add_help=False)
    add_target_arguments(parser)
    return target_from_args(parser.parse_args(words))
