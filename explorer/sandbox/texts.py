"""Every text the sandbox sends to a client or shows a learner, as data tables keyed by language.

Replies are templates for ``str.format``; the fields they use are named in the template. A
translation is a new language key with the same template names; a reply's code and enhanced
status code stay the same in every language (they are protocol, not prose).
"""

from __future__ import annotations

DEFAULT_LANGUAGE = "en"

# One line per scenario, shown by `smtp-explorer sandbox --help`, the REPL and lessons.
SCENARIO_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "en": {
        "require-auth": "530 5.7.0 to MAIL, RCPT, DATA (and VRFY, HELP) until AUTH succeeds",
        "require-tls": "530 5.7.0 to all but EHLO, HELO, NOOP, STARTTLS, QUIT until STARTTLS",
        "auth-code": "login password refused (535 5.7.8 + hint); only the authorization code works",
        "sender-must-match": "MAIL FROM must be the authenticated user (553 5.7.1), as big "
        "providers enforce",
        "unknown-recipient": "550 5.1.1 to RCPT TO an address that is not a sandbox account",
        "greylist": "451 4.7.1 on the first try of each sender/recipient pair; a retry is "
        "accepted",
        "mailbox-full": "452 4.2.2 to every RCPT TO: the recipient's mailbox is over quota",
        "size-limit": "size-limit=N: a message over N octets gets 552 5.3.4; EHLO shows SIZE N",
        "slow": "slow[=SECONDS]: every reply is delayed (default 1 s), to show client timeouts",
        "shutdown": "421 4.3.2 to the next command (or at connect), then the connection closes",
    },
    "zh": {
        "require-auth": "在 AUTH 成功之前，对 MAIL、RCPT、DATA（以及 VRFY、HELP）回复 530 5.7.0",
        "require-tls": "在 STARTTLS 之前，除 EHLO、HELO、NOOP、STARTTLS、QUIT 外一律回复 530 5.7.0",
        "auth-code": "拒绝登录密码（535 5.7.8 并附提示）；只有授权码才能通过认证",
        "sender-must-match": "MAIL FROM 必须是已认证的用户（否则 553 5.7.1），与大型邮箱服务商的"
        "做法相同",
        "unknown-recipient": "RCPT TO 的地址不是沙箱服务器的账户时，回复 550 5.1.1",
        "greylist": "灰名单：每对发件人/收件人第一次尝试时回复 451 4.7.1；重试则被接受",
        "mailbox-full": "对每个 RCPT TO 回复 452 4.2.2：收件人的邮箱超过了配额",
        "size-limit": "size-limit=N：超过 N 字节的邮件得到 552 5.3.4；EHLO 显示 SIZE N",
        "slow": "slow[=秒数]：每条回复都延迟发送（默认 1 秒），用来演示客户端超时",
        "shutdown": "对下一条命令（或在连接时）回复 421 4.3.2，然后关闭连接",
    },
}

# Replies the sandbox composes itself (aiosmtpd's own replies get an enhanced status code added
# by ENHANCED_CODES below).
REPLIES: dict[str, dict[str, str]] = {
    "en": {
        "banner": "220 {hostname} ESMTP smtp-explorer sandbox: a teaching server, no mail "
        "leaves this machine",
        "ehlo_greets": "{hostname} greets {client}",
        "helo": "250 {hostname} greets {client}",
        # Never the command itself: a client's Base64 credentials sent as a command would come
        # back in the reply, and land in every log and transcript (no real server echoes).
        "unknown_command": "500 5.5.2 Error: command not recognized",
        "too_many_unknown": "421 4.7.0 Too many unrecognized commands, closing connection",
        "vrfy_bad_address": "502 5.5.1 Could not VRFY: not an address",
        "auth_after_helo": "503 5.5.1 Error: send EHLO first: AUTH is an EHLO extension "
        "(RFC 4954)",
        "relay_denied": "554 5.7.1 <{recipient}>: Relay access denied",
        "tls_already_active": "554 5.5.1 Error: TLS already active",
        "auth_ok": "235 2.7.0 Authentication successful",
        "auth_invalid": "535 5.7.8 Authentication credentials invalid",
        "auth_code_hint": "535 5.7.8 Authentication failed: this account does not accept its "
        "login password over SMTP; use its SMTP authorization code instead",
        "auth_needs_tls": "538 5.7.11 Encryption required for requested authentication "
        "mechanism: use STARTTLS first",
        "auth_already": "503 5.5.1 Already authenticated",
        "auth_unknown_mechanism": "504 5.5.4 Unrecognized authentication type",
        "require_auth": "530 5.7.0 Authentication required",
        "require_tls": "530 5.7.0 Must issue a STARTTLS command first",
        "sender_unauthenticated": "530 5.7.0 Authentication required: the MAIL FROM must be "
        "the authenticated user",
        "sender_mismatch": "553 5.7.1 <{sender}>: Sender address rejected: not owned by "
        "user {user}",
        "mail_ok": "250 2.1.0 Sender <{sender}> OK",
        "rcpt_ok": "250 2.1.5 Recipient <{recipient}> OK",
        "unknown_recipient": "550 5.1.1 <{recipient}>: Recipient address rejected: User unknown "
        "in local recipient table",
        "bad_mailbox": "553 5.1.3 <{recipient}>: Recipient address rejected: not usable as a "
        "mailbox name",
        "too_many_recipients": "452 4.5.3 Too many recipients",
        "greylisted": "451 4.7.1 <{recipient}>: Recipient address rejected: Greylisted, "
        "please try again later",
        "mailbox_full": "452 4.2.2 <{recipient}>: Mailbox full, over quota",
        "size_exceeded": "552 5.3.4 Message size exceeds fixed maximum message size",
        "data_ok": "250 2.0.0 OK: message queued as {queue_id}",
        "storage_error": "451 4.3.0 Local error in processing: the message was not stored",
        "shutdown": "421 4.3.2 Service shutting down, closing transmission channel",
        "stopping": "421 4.3.2 {hostname} sandbox stopping, closing transmission channel",
        "too_many_sessions": "421 4.7.0 {hostname} Too many concurrent sessions, try again later",
        "idle_timeout": "421 4.4.2 {hostname} Error: timeout exceeded",
        "line_too_long": "500 5.5.2 Line too long (RFC 5321 4.5.3.1.6: 1000 octets with CRLF)",
        "command_too_long": "500 5.5.2 Command line too long (RFC 5321 4.5.3.1.4: 512 octets "
        "with CRLF)",
        "starttls_ready": "220 2.0.0 Ready to start TLS",
        "cram_md5_no_initial": "501 5.5.4 CRAM-MD5 takes no initial response",
        "cannot_split": "501 5.5.2 Can't split auth value: expected a username, a space and "
        "a hex digest",
        "internal_error": "451 4.3.0 Internal error in the sandbox ({error}); please report it",
    },
}

# Enhanced status codes (RFC 3463) added to aiosmtpd's stock replies that have none, by reply
# code, because EHLO advertises ENHANCEDSTATUSCODES (RFC 2034). Greeting, EHLO/HELO, 334 and 354
# replies are left alone, as RFC 2034 says.
ENHANCED_CODES: dict[int, str] = {
    221: "2.0.0",
    250: "2.0.0",
    252: "2.0.0",
    421: "4.3.2",
    451: "4.3.0",
    452: "4.3.1",
    454: "4.7.0",
    500: "5.5.2",
    501: "5.5.4",
    502: "5.5.1",
    503: "5.5.1",
    504: "5.5.4",
    530: "5.7.0",
    535: "5.7.8",
    538: "5.7.11",
    550: "5.1.1",
    552: "5.3.4",
    553: "5.1.3",
    554: "5.7.0",
    555: "5.5.4",
}

# aiosmtpd's stock replies by exact text, with the reply key that replaces them: always when
# REPLIES has the key, else only when the sandbox's profile gives its own text for it.
STOCK_REPLIES: dict[str, str] = {
    "220 Ready to start TLS": "starttls_ready",
    "221 Bye": "quit",
    "250 OK": "ok",
    "354 End data with <CR><LF>.<CR><LF>": "data_start",
    "503 Error: need MAIL command": "need_mail",
    "503 Error: need RCPT command": "need_rcpt",
    "503 Error: send HELO first": "need_helo",
    "503 Error: send EHLO first": "need_helo",
    "500 Command line too long": "command_too_long",
    "500 Line too long (see RFC5321 4.5.3.1.6)": "line_too_long",
    "552 Error: Too much mail data": "size_exceeded",
    "552 Error: message size exceeds fixed maximum message size": "size_exceeded",
}

# How a session ended, as shown in the session line and stored in the session log.
OUTCOMES: dict[str, dict[str, str]] = {
    "en": {
        "live": "in progress",
        "quit": "quit",
        "client-closed": "closed by the client",
        "idle-timeout": "idle timeout (421)",
        "command-timeout": "a line took too long to arrive (421)",
        "command-too-long": "command line too long: refused and closed (500)",
        "too-many-sessions": "refused: too many sessions (421)",
        "shutdown-scenario": "closed by the shutdown scenario (421)",
        "server-stopped": "closed: sandbox stopping (421)",
        "tls-failed": "TLS handshake failed",
        "auth-needs-tls": "closed by the server: AUTH without TLS",
        "too-many-unknown": "closed by the server: too many unknown commands",
        "error": "closed after an error",
    },
    "zh": {
        "live": "进行中",
        "quit": "已 QUIT",
        "client-closed": "客户端关闭了连接",
        "idle-timeout": "空闲超时（421）",
        "command-timeout": "命令超时：一行数据未在限定时间内收完（421）",
        "command-too-long": "命令行过长：已拒绝并断开连接（500）",
        "too-many-sessions": "已拒绝：会话太多（421）",
        "shutdown-scenario": "被 shutdown 场景关闭（421）",
        "server-stopped": "已关闭：沙箱服务器正在停止（421）",
        "tls-failed": "TLS 握手失败",
        "auth-needs-tls": "被邮件服务器关闭：在未加密的连接上发送了 AUTH",
        "too-many-unknown": "被邮件服务器关闭：未知命令太多",
        "error": "出错后关闭",
    },
}


def reply(key: str, language: str = DEFAULT_LANGUAGE, **fields: object) -> str:
    """The reply ``key`` in ``language`` (falling back to English), with its fields filled in."""
    table = REPLIES.get(language, REPLIES[DEFAULT_LANGUAGE])
    return fill(table.get(key) or REPLIES[DEFAULT_LANGUAGE][key], **fields)


def fill(template: str, **fields: object) -> str:
    """``template`` with its fields filled in, each made one line (unused fields are ignored)."""
    return template.format(**{name: _one_line(value) for name, value in fields.items()})


def _one_line(value: object) -> object:
    # A field may echo client text (an address, a host name): a CR, LF or other control
    # character in it must not break the reply into lines, so it becomes "?".
    if not isinstance(value, str) or value.isprintable():
        return value
    return "".join("?" if ord(ch) < 0x20 or ord(ch) == 0x7F else ch for ch in value)


def outcome_text(outcome: str, language: str = DEFAULT_LANGUAGE) -> str:
    """The learner-facing words for a session outcome key."""
    table = OUTCOMES.get(language, OUTCOMES[DEFAULT_LANGUAGE])
    return table.get(outcome, OUTCOMES[DEFAULT_LANGUAGE].get(outcome, outcome))
