"""Accounts: the fixed defaults, --account specs, the TOML file, and secret checks."""

from __future__ import annotations

import hmac

import pytest
from hypothesis import given, strategies as st

from explorer.sandbox import DEFAULT_ACCOUNTS, Account, load_accounts_file, parse_account_spec
from explorer.sandbox.accounts import AccountBook, AuthVerdict


def test_default_accounts_are_fixed():
    learner, friend = DEFAULT_ACCOUNTS
    assert (learner.username, learner.password, learner.auth_code) == (
        "learner@sandbox.test", "password123", "abcdefghijklmnop")
    assert friend.username == "friend@sandbox.test" and friend.password and friend.auth_code


@pytest.mark.parametrize("spec, account", [
    ("alice@sandbox.test:s3cret", Account("alice@sandbox.test", "s3cret")),
    ("bob:pw:code16characters", Account("bob", "pw", "code16characters")),
])
def test_parse_account_spec(spec, account):
    assert parse_account_spec(spec) == account


def test_bare_username_gets_the_sandbox_domain():
    assert parse_account_spec("bob:pw").address == "bob@sandbox.test"


@pytest.mark.parametrize("spec, message", [
    ("nocolon", "expected USER:SECRET"), ("a:b:c:d", "expected USER:SECRET"),
    (":pw", "the username is empty"), ("alice:", "the password is empty"),
    ("alice:pw:", "the authorization code is empty"), ("al ice:pw", "not allowed"),
    ("a@b@c:pw", "not a valid address"),
])
def test_bad_account_specs_are_one_line_errors(spec, message):
    with pytest.raises(ValueError, match=message) as failure:
        parse_account_spec(spec)
    assert "\n" not in str(failure.value)


@given(st.text(max_size=60))
def test_parse_account_spec_is_total(spec):
    try:
        account = parse_account_spec(spec)
    except ValueError as exc:
        assert "\n" not in str(exc)
        return
    rebuilt = ":".join([account.username, account.password]
                       + ([account.auth_code] if account.auth_code else []))
    assert parse_account_spec(rebuilt) == account


def test_accounts_file(tmp_path):
    path = tmp_path / "class.toml"
    path.write_text('[[account]]\nusername = "alice@sandbox.test"\npassword = "a"\n'
                    '[[account]]\nusername = "bob@sandbox.test"\npassword = "b"\ncode = "c"\n'
                    "require_code = true\n", encoding="utf-8")
    assert load_accounts_file(path) == [Account("alice@sandbox.test", "a"),
                                        Account("bob@sandbox.test", "b", "c", True)]


@pytest.mark.parametrize("text, message", [
    ("[[account]]\nusername = 'a'\n", "password must be a non-empty string"),
    ("[[account]]\nusername = 'a'\npassword = 'p'\ncolour = 'red'\n", "unknown key 'colour'"),
    ("[[account]]\nusername = 'a'\npassword = 'p'\nrequire_code = true\n", "needs a code"),
    ("users = 1\n", "unknown key 'users'"),
    ("[account]\nusername = 'a'\n", "expected one or more"),
    ("[[account]\n", "not valid TOML"),
])
def test_bad_accounts_files(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message) as failure:
        load_accounts_file(path)
    assert "\n" not in str(failure.value)


def test_missing_accounts_file(tmp_path):
    with pytest.raises(ValueError, match="cannot read accounts file"):
        load_accounts_file(tmp_path / "absent.toml")


def test_account_book_checks_both_secrets():
    book = AccountBook(DEFAULT_ACCOUNTS)
    learner = DEFAULT_ACCOUNTS[0]
    assert book.check("LEARNER@sandbox.test", b"password123", False) == (learner, AuthVerdict.OK)
    assert book.check("learner@sandbox.test", b"abcdefghijklmnop", True) == (learner,
                                                                             AuthVerdict.OK)
    assert book.check("learner@sandbox.test", b"password123", True) == (
        learner, AuthVerdict.CODE_REQUIRED)
    assert book.check("learner@sandbox.test", b"password12", False)[1] is AuthVerdict.INVALID
    assert book.check("nobody", b"password123", False) == (None, AuthVerdict.INVALID)
    challenge = b"<1.2@sandbox.test>"
    digest = hmac.new(b"abcdefghijklmnop", challenge, "md5").hexdigest().upper()
    assert book.check_cram_md5("learner@sandbox.test", challenge, digest, True)[1] is \
        AuthVerdict.OK
    assert book.check_cram_md5("learner@sandbox.test", challenge, "zz\u00e9", False)[1] is \
        AuthVerdict.INVALID


def test_account_book_refuses_duplicates_and_knows_postmaster():
    with pytest.raises(ValueError, match="defined twice"):
        AccountBook([Account("a@sandbox.test", "x"), Account("A@sandbox.test", "y")])
    book = AccountBook(DEFAULT_ACCOUNTS)
    assert book.is_known_address("Friend@Sandbox.test")
    assert book.is_known_address("postmaster@sandbox.test")
    assert not book.is_known_address("someone@sandbox.test")


def test_given_accounts_replace_defaults_with_the_same_name(tmp_path):
    from explorer.sandbox import Sandbox

    box = Sandbox(data_dir=tmp_path, accounts=[Account("learner@sandbox.test", "new")])
    assert [a.username for a in box.accounts] == ["friend@sandbox.test", "learner@sandbox.test"]
    assert Sandbox(data_dir=tmp_path, include_default_accounts=False).accounts == []
