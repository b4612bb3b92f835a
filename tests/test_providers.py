"""The provider-replies table: every reply text of docs/providers.md is recognised, with the right
provider and advice; the lines here are copied verbatim from docs/providers.md (ids filled in)."""

from __future__ import annotations

import pytest

from explorer.knowledge.providers import advice_lines, decode_reply, host_lines, recognise
from explorer.knowledge.tables import load

# (reply as sent, the entry that must recognise it)
VERBATIM = [
    # 163 / 126
    ("535 Error: authentication failed", "coremail-auth-failed"),
    ("550 User has no permission", "coremail-no-permission"),
    ("553 authentication is required", "coremail-auth-required"),
    ("553 Mail from must equal authorized user", "coremail-sender-mismatch"),
    ("554 DT:SPM 163 smtp12,EMCowAD3d2m1,please see http://mail.163.com/help/help_spam_16.htm?ip=1.2.3.4",
     "netease-dt-spm"),
    ("451 DT:SPM ,please try again", "netease-dt-spm"),
    ("554 DT:SUM 163 smtp12", "netease-dt-sum"),
    ("421 HL:REP 163 smtp12", "netease-ip-ban"), ("421 HL:ICC 163", "netease-ip-ban"),
    ("421 HL:IFC 163", "netease-ip-ban"), ("421 HL:MEP 163", "netease-ip-ban"),
    ("554 IP is rejected, smtp auth error limit exceed", "netease-ip-ban"),
    ("554 HL:IHU 163", "netease-ip-ban"), ("554 IP in blacklist", "netease-ip-ban"),
    ("451 Requested mail action not taken: too much fail authentication", "netease-auth-limit"),
    ("450 MI:CEL 163", "netease-rate-limit"), ("450 MI:DMC 163", "netease-rate-limit"),
    ("450 RP:DRC 163", "netease-rate-limit"), ("451 MI:SFQ 163", "netease-rate-limit"),
    ("451 RP:QRC 163", "netease-rate-limit"), ("550 RP:TRC 163", "netease-rate-limit"),
    ("550 MI:STC 163", "netease-rate-limit"), ("554 MI:STC 163", "netease-rate-limit"),
    ("550 Requested mail action not taken: too much recipient", "netease-rate-limit"),
    ("450 DT:RBL 163", "netease-policy"), ("450 WM:BLI 163", "netease-policy"),
    ("550 MI:NHD 163", "netease-policy"), ("550 MI:IMF 163", "netease-policy"),
    ("550 MI:SPF 163", "netease-policy"), ("550 MI:DMA 163", "netease-policy"),
    ("550 RP:FRL 163", "netease-policy"),
    ("550 Invalid User", "netease-recipient"), ("550 User suspended", "netease-recipient"),
    ("552 Illegal Attachment", "netease-size"),
    ("552 Requested mail action aborted: exceeded mailsize limit", "netease-size"),
    ("553 Requested action not taken: NULL sender is not allowed", "netease-sender-rules"),
    ("553 Requested action not taken: Local user only", "netease-sender-rules"),
    ("502 Error: command not implemented", "coremail-unknown-command"),
    ("500 Error: bad syntaxU", "coremail-bad-syntax"),
    # QQ
    ("530 Login fail. A secure connection is requiered(such as ssl). More information at "
     "http://service.mail.qq.com/cgi-bin/help?id=28", "qq-ssl-required"),
    ("535 Login Fail. Please enter your authorization code to login. More information in "
     "http://service.mail.qq.com/cgi-bin/help?subtype=1&&id=28&&no=1001256", "qq-auth-code"),
    ("535 Login fail. Account is abnormal, service is not open, password is incorrect, login "
     "frequency limited, or system is busy. More information at "
     "https://help.mail.qq.com/detail/108/1023", "qq-login-fail"),
    ("503 Error: need EHLO and AUTH first !", "qq-need-auth"),
    ("501 mail from address must be same as authorization user", "qq-sender-mismatch"),
    ("550 The mail may contain inappropriate words or content.", "qq-content"),
    ('550 The "From" header is missing or invalid. Please follow RFC5322, RFC2047, RFC822 '
     "standard protocol. https://service.mail.qq.com/detail/124/995.", "qq-from-header"),
    ("550 Mailbox not found. http://service.mail.qq.com/cgi-bin/help?subtype=1&&id=20022&&no=1000728",
     "qq-mailbox-not-found"),
    # Gmail
    ("530 5.7.0 Must issue a STARTTLS command first. d9443c01a7336 - gsmtp", "starttls-first"),
    ("535-5.7.8 Username and Password not accepted. Learn more at\r\n"
     "535 5.7.8  https://support.google.com/mail/?p=BadCredentials d9443c01a7336 - gsmtp",
     "gmail-bad-credentials"),
    ("534-5.7.9 Application-specific password required. Learn more at\r\n"
     "534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor d9443c01a7336 - gsmtp",
     "gmail-app-password"),
    ("530-5.7.0 Authentication Required. Learn more at\r\n"
     "530 5.7.0  https://support.google.com/mail/?p=WantAuthError d9443c01a7336 - gsmtp",
     "gmail-auth-required"),
    ("550-5.1.1 The email account that you tried to reach does not exist. Please try\r\n"
     "550 5.1.1 double-checking the recipient's email address", "gmail-no-account"),
    ("421-4.7.0 Try again later, closing connection. (EHLO)", "gmail-rate-limit"),
    ("550 5.4.5 Daily user sending limit exceeded.", "gmail-rate-limit"),
    ("502 5.5.1 Unrecognized command. d9443c01a7336 - gsmtp", "gmail-unrecognized"),
    # Outlook / Office 365
    ("535 5.7.139 Authentication unsuccessful, basic authentication is disabled. "
     "[SN4PR0501CA0123.namprd05.prod.outlook.com]", "outlook-basic-auth-disabled"),
    ("554 5.2.252 SendAsDenied; a@outlook.com not allowed to send as b@x.com; "
     "STOREDRV.Submission.Exception:SendAsDeniedException", "outlook-send-as-denied"),
    ("451 5.7.3 STARTTLS is required to send mail [SN4PR0501CA0123]", "outlook-starttls"),
    ("503 5.5.2 Send hello first [SN4PR0501CA0123]", "outlook-send-hello"),
    ("500 5.3.3 Unrecognized command 'unknown' [SN4PR0501CA0123]", "outlook-unrecognized"),
    # Yahoo
    ("535 5.7.0 (#MBR1212) Incorrect username or password.", "yahoo-auth"),
    ("535 5.7.0 (#AUTH005) Too many bad auth attempts.", "yahoo-auth"),
    # Postfix
    ("554 5.7.1 <x@elsewhere.example>: Relay access denied", "postfix-relay-denied"),
    ("503 5.5.1 Error: authentication not enabled", "postfix-auth-not-enabled"),
    ("550 5.1.1 <nobody@example.test>: Recipient address rejected: User unknown in local "
     "recipient table", "postfix-user-unknown"),
    ("553 5.7.1 <a@b.test>: Sender address rejected: not owned by user student",
     "postfix-not-owned"),
    ("535 5.7.8 Error: authentication failed: authentication failure", "postfix-auth-failed"),
    ("504 5.5.4 Encryption required for requested authentication mechanism",
     "postfix-encryption-required"),
    ("503 5.5.1 Error: already authenticated", "postfix-already-authenticated"),
    ("530 5.7.0 Must issue a STARTTLS command first", "starttls-first"),
    ("503 5.5.1 Error: need MAIL command", "postfix-need-mail"),
    ("554 5.5.1 Error: no valid recipients", "postfix-no-valid-recipients"),
    ("550 5.5.2 mail.example.test Error: bare <LF> received", "postfix-bare-lf"),
    ("221 2.7.0 Error: I can break rules, too. Goodbye.", "postfix-break-rules"),
    ("421 4.4.2 mail.example.test Error: timeout exceeded", "postfix-timeout"),
    ("500 5.5.2 Error: command not recognized", "postfix-unknown-command"),
    # Exim
    ("503 AUTH command used when not advertised", "exim-auth-not-advertised"),
    ("535 Incorrect authentication data", "exim-incorrect-auth"),
    ("503 HELO or EHLO required", "exim-helo-required"),
    ("500 unrecognized command", "exim-unrecognized"),
    ("500 Too many unrecognized commands", "exim-too-many-unrecognized"),
    ("421 mail.example.test: SMTP command timeout - closing connection", "exim-timeout"),
]


@pytest.mark.parametrize(("reply", "key"), VERBATIM)
def test_every_provider_reply_is_recognised(reply, key):
    found = recognise(reply.encode())
    assert found is not None and found.key == key
    zh = recognise(reply, "zh")
    assert zh.key == key and zh.meaning != found.meaning and zh.action != found.action
    assert found.source


def test_the_advice_names_the_cause_and_the_remedy_at_that_provider():
    relay = recognise("554 5.7.1 <x@elsewhere.example>: Relay access denied")
    assert relay.provider == "Postfix" and "Log in first" in relay.action
    assert "DATA" not in relay.action
    tls = recognise("503 5.5.1 Error: authentication not enabled")
    assert "only after STARTTLS" in tls.meaning and "STARTTLS" in tls.action
    qq = recognise("530 Login fail. A secure connection is requiered(such as ssl). More")
    assert "465" in qq.action and "TLS" in qq.action
    spam = recognise("554 DT:SPM 163 smtp12,abc,please see http://mail.163.com/help/x")
    assert spam.provider.startswith("163") and "spam" in spam.meaning
    helo = recognise("503 AUTH command used when not advertised")
    assert "Postfix and 163 would have accepted it" in helo.meaning


def test_qq_gbk_reply_is_decoded_and_explained():
    raw = "535 Error: 请使用授权码登录。详情请看: http://service.mail.qq.com/cgi-bin/help?subtype=1&&id=28&&no=1001256\r\n".encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # what crashes a learner's recv().decode()
    text, encoding = decode_reply(raw)
    assert encoding == "gb18030" and "请使用授权码登录" in text
    found = recognise(raw)
    assert found.key == "qq-auth-code" and found.encoding == "gb18030"
    assert "请使用授权码登录" in found.text


def test_unknown_and_generic_replies_are_not_claimed():
    assert recognise("250 OK") is None
    assert recognise("535 5.7.8 Authentication credentials invalid") is None
    assert recognise(b"garbage") is None
    assert recognise("530 5.7.0 Authentication required") is None  # not Gmail's text


def test_a_provider_is_named_as_a_chinese_student_names_it():
    qq = "530 Login fail. A secure connection is requiered(such as ssl). More"
    assert recognise(qq).provider == "QQ Mail" and recognise(qq, "zh").provider == "QQ 邮箱"
    netease = recognise("535 Error: authentication failed", "zh")
    assert netease.provider == "网易 163 / 126 邮箱（Coremail）"
    assert advice_lines(recognise(qq, "zh"), "zh")[0].startswith("在 QQ 邮箱：")
    hosts = host_lines("zh")
    assert "网易 163 / 126 邮箱" in hosts and "QQ 邮箱" in hosts and "Outlook 邮箱（Outlook.com / Office 365）" in hosts
    assert not any("QQ Mail" in line or "NetEase" in line for line in hosts)
    assert "QQ Mail" in host_lines("en") and "163.com / 126.com (NetEase)" in host_lines("en")


def test_every_reply_and_host_names_a_known_provider():
    data = load("providers")
    named = [entry["provider"] for group in ("reply", "host") for entry in data[group].values()]
    assert len(named) == len(data["reply"]) + len(data["host"]) and set(named) <= set(data["provider"])
    assert set(data["provider"]) == set(named)  # no name left unused
