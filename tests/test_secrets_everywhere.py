"""Issue 12's "done means": a secret recorded in every way it can travel is found in no output.

Sessions are recorded against the real sandbox (and, for a server that echoes the credential in
upper case, a scripted server): AUTH LOGIN, PLAIN with and without an initial response,
CRAM-MD5, a refused AUTH followed by the credential lines, a pipelined AUTH, a forgotten
mechanism, and the REPL's guided AUTH. Then every output is written (the history file,
sessions.jsonl, --save, /save, the text, Markdown and HTML transcripts, inspect, the sandbox's
--inspect, replay) and searched for the secret, its Base64 and its upper-cased Base64.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from pathlib import Path

import pytest
from clients import LEARNER, PASSWORD, Wire
from repl_driver import RIGHT, run_repl, sandbox_target
from scripted_server import ScriptedServer

from explorer.client.engine import Engine, Target
from explorer.commands import build_parser, main
from explorer.core.commands import parse_command
from explorer.recording import read_recordings
from explorer.repl.history import SafeFileHistory
from explorer.reports.inspector import record_lines
from explorer.reports.options import save_after

B64_PASSWORD = base64.b64encode(PASSWORD.encode())
PLAIN = base64.b64encode(f"\0{LEARNER}\0{PASSWORD}".encode())


def forms(secret: bytes) -> list[bytes]:
    """What must never be found: the secret, its Base64 and its upper-cased Base64."""
    encoded = base64.b64encode(secret)
    return [secret, encoded, encoded.upper()]


SEARCHED = forms(PASSWORD.encode()) + forms(f"\0{LEARNER}\0{PASSWORD}".encode()) + [B64_PASSWORD, PLAIN]


def wire_sessions(box) -> list[bytes]:
    """Every way a client can send the credential; returns the CRAM-MD5 response (a secret too)."""
    w = Wire.to(box).ehlo()  # AUTH LOGIN
    assert w.cmd(b"AUTH LOGIN\r\n").startswith(b"334")
    assert w.cmd(base64.b64encode(LEARNER.encode()) + b"\r\n").startswith(b"334")
    assert w.cmd(B64_PASSWORD + b"\r\n").startswith(b"235")
    w.quit()
    w = Wire.to(box).ehlo()  # PLAIN with an initial response
    assert w.cmd(b"AUTH PLAIN " + PLAIN + b"\r\n").startswith(b"235")
    w.quit()
    w = Wire.to(box).ehlo()  # PLAIN without, pipelined: the answer before the 334
    w.send(b"AUTH PLAIN\r\n" + PLAIN + b"\r\n")
    assert w.reply().startswith(b"334") and w.reply().startswith(b"235")
    w.quit()
    w = Wire.to(box).ehlo()  # PLAIN without, waiting for the 334
    assert w.cmd(b"AUTH PLAIN\r\n").startswith(b"334")
    assert w.cmd(PLAIN + b"\r\n").startswith(b"235")
    w.quit()
    w = Wire.to(box).ehlo()  # CRAM-MD5
    challenge = base64.b64decode(w.cmd(b"AUTH CRAM-MD5\r\n")[4:].strip())
    digest = hmac.new(PASSWORD.encode(), challenge, hashlib.md5).hexdigest()
    response = base64.b64encode(f"{LEARNER} {digest}".encode())
    assert w.cmd(response + b"\r\n").startswith(b"235")
    w.quit()
    w = Wire.to(box).ehlo()  # the mechanism forgotten, then the password anyway
    assert w.cmd(b"AUTH " + PLAIN + b"\r\n")[:1] == b"5"
    w.cmd(B64_PASSWORD + b"\r\n")
    w.quit()
    return [response]


def refused_session(box) -> None:
    """AUTH refused (530: STARTTLS first), and the credential lines sent anyway."""
    w = Wire.to(box).ehlo()
    assert w.cmd(b"AUTH LOGIN\r\n").startswith(b"530")
    w.cmd(base64.b64encode(LEARNER.encode()) + b"\r\n")
    w.cmd(B64_PASSWORD + b"\r\n")
    w.quit()


def echoing_server_session(tmp_path: Path) -> Path:
    """A server that echoes the credential upper-cased in its 535; saved with --save."""
    server = ScriptedServer([("send", b"220 echo ESMTP\r\n"), ("read",), ("send", b"250 echo\r\n"),
                             ("read",), ("send", b"535 5.7.8 bad credentials: " + PLAIN.upper() + b"\r\n"),
                             ("read",), ("send", b"221 bye\r\n"), ("close",)])
    try:
        engine = Engine(Target("127.0.0.1", server.port, "plain", timeout=5.0))
        engine.connect()
        for line in ("EHLO pc", "AUTH PLAIN " + PLAIN.decode(), "QUIT"):
            engine.send(parse_command(line))
        path = tmp_path / "echo.jsonl"
        assert save_after(build_parser().parse_args(["--save", str(path)]), engine, write=lambda _: None) == 0
        engine.close()
    finally:
        server.close()
    return path


def repl_session(box, tmp_path: Path) -> tuple[Path, Path, Path]:
    """The REPL: the guided AUTH LOGIN (masked password), AUTH PLAIN typed, /save; --save too."""
    history = tmp_path / "history"
    saved = tmp_path / "slash-save.jsonl"
    keys = ["/connect", "EHLO me", "AUTH LOGIN", RIGHT, PASSWORD, "AUTH PLAIN " + PLAIN.decode(),
            f"/save {saved}", "/quit"]
    repl, _ = run_repl(sandbox_target(box), keys, sandbox=lambda: box, history=SafeFileHistory(str(history)))
    option = tmp_path / "option-save.jsonl"
    assert save_after(build_parser().parse_args(["--save", str(option)]), repl.engine, write=lambda _: None) == 0
    return history, saved, option


def outputs_of(path: Path, tmp_path: Path, capsys, session: int | None = None) -> dict[str, bytes]:
    """Every output the command line makes of one recording."""
    picked = [] if session is None else ["--session", str(session)]
    out: dict[str, bytes] = {}
    for fmt in ("text", "markdown", "html"):
        target = tmp_path / f"{path.stem}-{session}.{fmt}"
        assert main(["transcript", str(path), "-f", fmt, "-o", str(target), *picked]) == 0
        out[f"transcript {fmt} of {path.name} {session}"] = target.read_bytes()
    capsys.readouterr()
    assert main(["inspect", str(path), *picked]) == 0
    out[f"inspect {path.name} {session}"] = capsys.readouterr().out.encode()
    assert main(["replay", str(path), "--all", *picked]) == 0
    out[f"replay {path.name} {session}"] = capsys.readouterr().out.encode()
    return out


def assert_nowhere(outputs: dict[str, bytes], secrets: list[bytes]) -> None:
    for where, data in outputs.items():
        for secret in secrets:
            assert secret not in data, f"{secret!r} found in {where}"


@pytest.fixture
def recorded(make_sandbox, tmp_path):
    box = make_sandbox(data_dir=tmp_path / "box")
    secrets = SEARCHED + wire_sessions(box)
    history, slash_saved, option_saved = repl_session(box, tmp_path)
    refusing = make_sandbox(data_dir=tmp_path / "refusing", scenarios=["require-tls"])
    refused_session(refusing)
    for each in (box, refusing):
        assert each.wait_until_idle(5.0)
        each.stop()  # every session ended is in its log once stopped (it is written after the end)
    echo = echoing_server_session(tmp_path)
    logs = [tmp_path / "box" / "sessions.jsonl", tmp_path / "refusing" / "sessions.jsonl"]
    return box, refusing, secrets, history, [slash_saved, option_saved, echo], logs


def test_a_secret_is_found_in_no_output(recorded, tmp_path, capsys) -> None:
    box, refusing, secrets, history, saved, logs = recorded
    outputs = {"history file": history.read_bytes()}
    for path in saved + logs:
        outputs[str(path)] = path.read_bytes()
    for path in saved:
        outputs.update(outputs_of(path, tmp_path, capsys))
    for log in logs:
        for recording in read_recordings(log):
            outputs.update(outputs_of(log, tmp_path, capsys, recording.id))
    for each in (box, refusing):  # what `sandbox --inspect` prints
        for record in each.sessions:
            outputs[f"--inspect {record.id}"] = "\n".join(record_lines(record)).encode()
    assert len(outputs) > 40
    assert_nowhere(outputs, secrets)


def test_reveal_secrets_keeps_them(recorded, tmp_path, capsys) -> None:
    from explorer.reports.save import save_sandbox_record

    box = recorded[0]
    record = next(r for r in box.sessions if PLAIN in b"".join(c.data for c in r.chunks))
    path = tmp_path / "revealed.jsonl"
    save_sandbox_record(record, path, reveal_secrets=True)
    capsys.readouterr()
    assert main(["transcript", str(path), "--reveal-secrets"]) == 0
    assert PLAIN.decode() in capsys.readouterr().out
    assert main(["transcript", str(path)]) == 0
    assert PLAIN.decode() not in capsys.readouterr().out
