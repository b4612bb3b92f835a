"""The SMTP session state machine, as tables (RFC 5321, RFC 4954 AUTH, RFC 3207 STARTTLS).

Four tables say everything; the session, the REPL, the lessons and ``/state`` read them rather
than restating them:

``EFFECTS``     what a reply does to the state, by the exchange it answers. A reply code is
                matched exactly first ("235"), then by its class ("2"), then "*". Targets may be
                ``SAME`` (unchanged) or ``BASE`` (the idle state of the session: GREETED before
                HELO/EHLO, AUTHENTICATED after a 235, else READY). Whatever the exchange, a 421
                closes the session (RFC 5321 3.8).
``IN_ORDER``    the states in which each verb makes sense.
``OUT_OF_ORDER`` for a verb sent in another state: the reply a real server most likely gives and
                a reason key (its text is in ``knowledge/warnings.toml``); looked up by
                (verb, state), then (verb, None), then (None, state).
``NEXT_STEP``   the one step expected next in each state, for auto-fill, with ``{placeholders}``.

The exchanges are the verbs plus three that are not commands: ``GREETING`` (the server speaks
first after the TCP connect), ``AUTH-LINE`` (a client line inside an AUTH exchange) and ``BODY``
(the message content ended by CRLF.CRLF).
"""

from __future__ import annotations

from enum import Enum

__all__ = [
    "State", "SAME", "BASE", "EFFECTS", "IN_ORDER", "OUT_OF_ORDER", "NEXT_STEP", "GLOBAL_EFFECTS",
    "GREETING", "AUTH_LINE", "BODY", "UNKNOWN",
]


class State(Enum):
    NOT_CONNECTED = "not-connected"
    AWAITING_GREETING = "awaiting-greeting"
    REJECTED = "rejected"  # the greeting was 554 (or another 4xx/5xx): only QUIT is left
    GREETED = "greeted"
    READY = "ready"  # after HELO/EHLO
    AUTH_EXCHANGE = "auth-exchange"  # a 334 came: the client answers with Base64
    AUTHENTICATED = "authenticated"
    MAIL = "mail"  # sender accepted: a transaction is open
    RCPT = "rcpt"  # at least one recipient accepted
    DATA = "data"  # after 354: the client sends the message
    DATA_END = "data-end"  # CRLF.CRLF sent: the server decides whether it takes the message
    CLOSED = "closed"


SAME = "same"
BASE = "base"

GREETING, AUTH_LINE, BODY, UNKNOWN = "GREETING", "AUTH-LINE", "BODY", "UNKNOWN"

S = State
_TALKING = frozenset({S.GREETED, S.READY, S.AUTHENTICATED, S.MAIL, S.RCPT})
_IDLE = frozenset({S.READY, S.AUTHENTICATED})

# exchange: {reply selector: target}
EFFECTS: dict[str, dict[str, State | str]] = {
    GREETING: {"220": S.GREETED, "*": S.REJECTED},
    "EHLO": {"250": BASE, "*": SAME},  # a new EHLO also ends any open transaction
    "HELO": {"250": BASE, "*": SAME},
    "STARTTLS": {"220": S.GREETED, "*": SAME},  # after the handshake the client must EHLO again
    "AUTH": {"334": S.AUTH_EXCHANGE, "235": S.AUTHENTICATED, "*": BASE},
    AUTH_LINE: {"334": S.AUTH_EXCHANGE, "235": S.AUTHENTICATED, "*": BASE},
    "MAIL": {"2": S.MAIL, "*": SAME},  # a 4xx/5xx leaves no transaction
    "RCPT": {"2": S.RCPT, "*": SAME},
    "DATA": {"354": S.DATA, "*": SAME},
    BODY: {"*": BASE},  # accepted or refused, the transaction is over
    "RSET": {"250": BASE, "*": SAME},
    "NOOP": {"*": SAME},
    "VRFY": {"*": SAME},
    "EXPN": {"*": SAME},
    "HELP": {"*": SAME},
    "QUIT": {"221": S.CLOSED, "*": SAME},
    UNKNOWN: {"*": SAME},
}

#: Replies that end the session whatever they answer.
GLOBAL_EFFECTS: dict[str, State] = {"421": S.CLOSED}

_ANYTIME = _TALKING  # RFC 5321 4.1.4: NOOP, HELP, EXPN, VRFY and RSET are allowed at any time

IN_ORDER: dict[str, frozenset[State]] = {
    "HELO": _TALKING,  # again after STARTTLS, or to start over (like RSET)
    "EHLO": _TALKING,
    "STARTTLS": frozenset({S.READY}),
    "AUTH": frozenset({S.READY}),
    "MAIL": _IDLE,
    "RCPT": frozenset({S.MAIL, S.RCPT}),
    "DATA": frozenset({S.RCPT}),
    "RSET": _ANYTIME,
    "NOOP": _ANYTIME,
    "VRFY": _ANYTIME,
    "EXPN": _ANYTIME,
    "HELP": _ANYTIME,
    "QUIT": _TALKING | {S.REJECTED},
}

# (verb or None, state or None): (likely reply code or None, reason key)
OUT_OF_ORDER: dict[tuple[str | None, State | None], tuple[int | None, str]] = {
    (None, S.NOT_CONNECTED): (None, "not-connected"),
    (None, S.CLOSED): (None, "closed"),
    (None, S.AWAITING_GREETING): (554, "before-greeting"),
    (None, S.REJECTED): (503, "rejected-session"),
    (None, S.AUTH_EXCHANGE): (501, "inside-auth-exchange"),
    (None, S.DATA_END): (None, "awaiting-data-verdict"),
    ("STARTTLS", S.GREETED): (503, "ehlo-first"),
    ("STARTTLS", S.AUTHENTICATED): (503, "starttls-after-auth"),
    ("STARTTLS", None): (503, "starttls-in-transaction"),
    ("AUTH", S.GREETED): (503, "ehlo-first"),
    ("AUTH", S.AUTHENTICATED): (503, "already-authenticated"),
    ("AUTH", None): (503, "auth-in-transaction"),
    ("MAIL", S.GREETED): (503, "helo-first"),
    ("MAIL", None): (503, "nested-mail"),
    ("RCPT", S.GREETED): (503, "helo-first"),
    ("RCPT", None): (503, "mail-first"),
    ("DATA", S.MAIL): (554, "no-valid-recipients"),
    ("DATA", S.GREETED): (503, "helo-first"),
    ("DATA", None): (503, "rcpt-first"),
}

# state: the step expected next. READY and AUTHENTICATED are refined by the session, which knows
# what the server advertised (STARTTLS first, then AUTH) and whether a message went out already.
NEXT_STEP: dict[State, str | None] = {
    S.NOT_CONNECTED: "/connect",
    S.AWAITING_GREETING: None,  # the server speaks first: wait for its 220
    S.REJECTED: "QUIT",
    S.GREETED: "EHLO {domain}",
    S.READY: "MAIL FROM:<{sender}>",
    S.AUTH_EXCHANGE: "{auth_response}",
    S.AUTHENTICATED: "MAIL FROM:<{sender}>",
    S.MAIL: "RCPT TO:<{recipient}>",
    S.RCPT: "DATA",
    S.DATA: "{message}",
    S.DATA_END: None,  # the server's verdict on the message comes next
    S.CLOSED: "/connect",
}
