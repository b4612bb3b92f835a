"""Every teaching scenario gives exactly the reply a real provider gives, and can be switched live."""

from __future__ import annotations

import smtplib
import ssl

import pytest
from hypothesis import given, strategies as st

from explorer.sandbox import SCENARIOS, validate_scenario
from explorer.sandbox.scenarios import parse_scenarios

LEARNER, PASSWORD, CODE = "learner@sandbox.test", "password123", "abcdefghijklmnop"
FRIEND = "friend@sandbox.test"
CODE_HINT = (b"5.7.8 Authentication failed: this account does not accept its login password "
             b"over SMTP; use its SMTP authorization code instead")


def client(box) -> smtplib.SMTP:
    smtp = smtplib.SMTP(box.host, box.port, local_hostname="pc", timeout=5)
    smtp.ehlo()
    return smtp


def test_scenario_table_has_one_line_each():
    assert set(SCENARIOS) == {"require-auth", "require-tls", "auth-code", "sender-must-match",
                              "unknown-recipient", "greylist", "mailbox-full", "size-limit",
                              "slow", "shutdown"}
    assert all(text and "\n" not in text for text in SCENARIOS.values())


@pytest.mark.parametrize("spelling, canonical", [
    ("greylist", "greylist"), (" Greylist ", "greylist"), ("size-limit=1024", "size-limit=1024"),
    ("size-limit:2048", "size-limit=2048"), ("size-limit 10", "size-limit=10"),
    ("slow", "slow=1"), ("slow=0.25", "slow=0.25"), ("SLOW:2", "slow=2")])
def test_validate_scenario_canonical_forms(spelling, canonical):
    assert validate_scenario(spelling) == canonical


@pytest.mark.parametrize("spelling, message", [
    ("bogus", "unknown scenario 'bogus'"), ("size-limit", "size-limit needs a number"),
    ("size-limit=0", "not a positive whole number"), ("size-limit=1e3", "not a positive"),
    ("slow=fast", "not a number of seconds"), ("slow=-1", "between 0 and"),
    ("greylist=2", "takes no parameter"), ("", "empty scenario name")])
def test_validate_scenario_errors_are_one_line(spelling, message):
    with pytest.raises(ValueError, match=message) as failure:
        validate_scenario(spelling)
    assert "\n" not in str(failure.value)


@given(st.text(max_size=40))
def test_validate_scenario_is_total_and_idempotent(text):
    try:
        canonical = validate_scenario(text)
    except ValueError as exc:
        assert "\n" not in str(exc)
        return
    assert validate_scenario(canonical) == canonical
    assert canonical.split("=", 1)[0] in SCENARIOS


def test_conflicting_parameters_are_refused():
    with pytest.raises(ValueError, match="given twice"):
        parse_scenarios(["slow=1", "slow=2"])
    assert parse_scenarios(["slow", "slow=1"]).names == {"slow=1"}


def test_require_auth(make_sandbox):
    box = make_sandbox(scenarios=["require-auth"])
    with client(box) as smtp:
        assert smtp.mail(LEARNER) == (530, b"5.7.0 Authentication required")
        assert smtp.docmd("RCPT TO:<friend@sandbox.test>") == (
            530, b"5.7.0 Authentication required")
        smtp.login(LEARNER, PASSWORD)
        assert smtp.mail(LEARNER)[0] == 250


def test_require_tls(make_sandbox):
    box = make_sandbox(scenarios=["require-tls"])
    with client(box) as smtp:
        assert "auth" not in smtp.esmtp_features and "starttls" in smtp.esmtp_features
        assert smtp.mail(LEARNER) == (530, b"5.7.0 Must issue a STARTTLS command first")
        assert smtp.docmd("AUTH PLAIN") == (530, b"5.7.0 Must issue a STARTTLS command first")
        assert smtp.noop() == (250, b"2.0.0 OK")
        smtp.starttls(context=ssl.create_default_context(cafile=str(box.certificate_path)))
        smtp.ehlo()
        assert smtp.login(LEARNER, PASSWORD)[0] == 235
        assert smtp.mail(LEARNER)[0] == 250


def test_auth_code(make_sandbox, raw):
    box = make_sandbox(scenarios=["auth-code"])
    for mechanism in ("LOGIN", "PLAIN", "CRAM-MD5"):
        with client(box) as smtp:
            smtp.user, smtp.password = LEARNER, PASSWORD
            method = getattr(smtp, "auth_" + mechanism.lower().replace("-", "_"))
            with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
                smtp.auth(mechanism, method, initial_response_ok=False)
            assert (refused.value.smtp_code, refused.value.smtp_error) == (535, CODE_HINT)
            smtp.user, smtp.password = LEARNER, CODE
            assert smtp.auth(mechanism, method, initial_response_ok=False)[0] == 235


def test_auth_code_from_an_account_that_requires_it(make_sandbox):
    from explorer.sandbox import Account

    box = make_sandbox(accounts=[Account("alice@sandbox.test", "pw", "code1", require_code=True),
                                 Account("bob@sandbox.test", "bobpw")])
    with client(box) as smtp:
        with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
            smtp.login("alice@sandbox.test", "pw")
        assert refused.value.smtp_error == CODE_HINT
    with client(box) as smtp:
        assert smtp.login("ALICE@sandbox.test", "code1")[0] == 235
    box.set_scenarios(["auth-code"])
    with client(box) as smtp:  # an account with no code keeps its password
        assert smtp.login("bob@sandbox.test", "bobpw")[0] == 235


def test_sender_must_match(make_sandbox):
    box = make_sandbox(scenarios=["sender-must-match"])
    with client(box) as smtp:
        assert smtp.mail(LEARNER) == (
            530, b"5.7.0 Authentication required: the MAIL FROM must be the authenticated user")
        smtp.login(LEARNER, PASSWORD)
        assert smtp.mail(FRIEND) == (
            553, b"5.7.1 <friend@sandbox.test>: Sender address rejected: not owned by user "
                 b"learner@sandbox.test")
        assert smtp.mail("Learner@Sandbox.Test")[0] == 250


def test_unknown_recipient(make_sandbox):
    box = make_sandbox(scenarios=["unknown-recipient"])
    with client(box) as smtp:
        smtp.mail(LEARNER)
        assert smtp.rcpt("nobody@sandbox.test") == (
            550, b"5.1.1 <nobody@sandbox.test>: Recipient address rejected: User unknown in "
                 b"local recipient table")
        assert smtp.rcpt("Friend@sandbox.test")[0] == 250
        assert smtp.rcpt("postmaster@sandbox.test")[0] == 250


def test_greylist(make_sandbox):
    box = make_sandbox(scenarios=["greylist"])
    greylisted = (451, b"4.7.1 <friend@sandbox.test>: Recipient address rejected: Greylisted, "
                       b"please try again later")
    with client(box) as smtp:
        smtp.mail(LEARNER)
        assert smtp.rcpt(FRIEND) == greylisted
        assert smtp.rcpt(FRIEND)[0] == 250  # the retry of the same pair
        smtp.rset()
        smtp.mail("other@sandbox.test")
        assert smtp.rcpt(FRIEND) == greylisted  # a new pair starts over
    with client(box) as smtp:  # a later session retrying is accepted too
        assert smtp.sendmail("other@sandbox.test", [FRIEND], b"Subject: retry\r\n\r\n.\r\n") == {}


def test_mailbox_full(make_sandbox):
    box = make_sandbox(scenarios=["mailbox-full"])
    with client(box) as smtp:
        smtp.mail(LEARNER)
        assert smtp.rcpt(FRIEND) == (452, b"4.2.2 <friend@sandbox.test>: Mailbox full, over quota")
    assert box.messages() == []


def test_size_limit(make_sandbox):
    box = make_sandbox(scenarios=["size-limit=100"])
    assert box.scenarios == {"size-limit=100"}
    with client(box) as smtp:
        assert smtp.esmtp_features["size"] == "100"
        assert smtp.mail(LEARNER, ["SIZE=101"]) == (
            552, b"5.3.4 Message size exceeds fixed maximum message size")
        smtp.mail(LEARNER)
        smtp.rcpt(FRIEND)
        assert smtp.data(b"Subject: big\r\n\r\n" + b"x" * 200 + b"\r\n") == (
            552, b"5.3.4 Message size exceeds fixed maximum message size")
        assert smtp.sendmail(LEARNER, [FRIEND], b"Subject: small\r\n\r\nok\r\n") == {}
    assert [m.data for m in box.messages()] == [b"Subject: small\r\n\r\nok\r\n"]


def test_slow_delays_every_reply(make_sandbox):
    box = make_sandbox(scenarios=["slow=0.1"])
    with client(box) as smtp:
        smtp.noop()
    [record] = box.sessions
    replies_after = [(prev.time, chunk.time) for prev, chunk in zip(record.chunks, record.chunks[1:])
                     if prev.direction == "client" and chunk.direction == "server"]
    assert len(replies_after) == 3  # EHLO, NOOP, QUIT
    assert all(answered - asked >= 0.1 for asked, answered in replies_after)
    assert record.chunks[0].time - record.started_at >= 0.1  # the greeting too


def test_shutdown_at_connect_and_mid_session(make_sandbox, raw):
    box = make_sandbox()
    open_session = raw(box)
    open_session.reply()
    box.set_scenarios(["shutdown"])
    late = raw(box)
    assert late.reply() == b"421 4.3.2 Service shutting down, closing transmission channel\r\n"
    assert late.closed()
    open_session.send(b"EHLO pc\r\n")
    assert open_session.reply() == (b"421 4.3.2 Service shutting down, closing transmission "
                                    b"channel\r\n")
    assert open_session.closed()
    box.set_scenarios([])
    with client(box) as smtp:
        assert smtp.noop()[0] == 250
    assert box.wait_until_idle()
    outcomes = [r.outcome for r in box.sessions]
    assert outcomes[:2] == ["shutdown-scenario", "shutdown-scenario"]


def test_switching_takes_effect_for_the_next_command(make_sandbox):
    box = make_sandbox()
    with client(box) as smtp:
        smtp.mail(LEARNER)
        box.set_scenarios(["mailbox-full", "size-limit:500"])
        assert box.scenarios == {"mailbox-full", "size-limit=500"}
        assert smtp.rcpt(FRIEND)[0] == 452
        smtp.ehlo()
        assert smtp.esmtp_features["size"] == "500"
        with pytest.raises(ValueError):
            box.set_scenarios(["mailbox-full", "no-such-thing"])
        assert box.scenarios == {"mailbox-full", "size-limit=500"}
        box.set_scenarios(())
        smtp.mail(LEARNER)
        assert smtp.rcpt(FRIEND)[0] == 250


def test_several_scenarios_at_once(make_sandbox):
    box = make_sandbox(scenarios=["require-auth", "unknown-recipient", "sender-must-match"])
    with client(box) as smtp:
        assert smtp.mail(LEARNER)[0] == 530
        smtp.login(LEARNER, CODE)
        assert smtp.mail(LEARNER)[0] == 250
        assert smtp.rcpt("stranger@example.com")[0] == 550
        assert smtp.rcpt(FRIEND)[0] == 250
