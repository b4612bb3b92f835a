"""``--save FILE``, ``--reveal-secrets`` and ``/save`` as the front ends use them."""

from __future__ import annotations

import argparse

import pytest

from repl_driver import RIGHT, run_repl, sandbox_target
from transcript_sessions import (  # noqa: F401 (fixtures)
    SECRETS, assert_no_secret, error_box, error_engine, record_starttls_session, starttls_engine,
)

from explorer.recording import read_recordings
from explorer.commands.base import add_save_arguments
from explorer.reports.options import sandbox_save_path, sandbox_saver, save_after, save_from_repl
from explorer.reports.sources import load_transcript
from explorer.reports.text import render_text


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_save_arguments(parser)
    return parser.parse_args(argv)


def test_save_after_writes_only_when_asked(tmp_path, error_engine) -> None:
    said: list[str] = []
    assert save_after(parse(), error_engine, write=said.append, error=said.append) == 0
    assert said == []
    path = tmp_path / "s.jsonl"
    assert save_after(parse("--save", str(path)), error_engine, write=said.append, error=said.append) == 0
    assert said == [f"session saved to {path}: 23 exchange(s), AUTH responses removed"]
    assert_no_secret(path.read_bytes())
    kept = tmp_path / "kept.jsonl"
    assert save_after(parse("--save", str(kept), "--reveal-secrets"), error_engine, write=said.append) == 0
    assert "KEPT" in said[-1] and read_recordings(kept)[0].meta["secrets_revealed"] is True


def test_save_after_reports_a_failure_in_one_line(tmp_path, error_engine) -> None:
    errors: list[str] = []
    # --save checks the folder when the options are read; the folder can still be gone (or the
    # disk full) by the time the session ends, and then this is what the learner reads.
    args = argparse.Namespace(save=tmp_path / "no" / "such" / "dir.jsonl", reveal_secrets=False)
    status = save_after(args, error_engine, write=errors.append, error=errors.append)
    assert status == 1 and len(errors) == 1
    assert errors[0].startswith("smtp-explorer: error: cannot save the session to ")


def test_slash_save_after_a_repl_session(sandbox, tmp_path) -> None:
    """What ``/save FILE`` will do in the REPL (the REPL calls save_from_repl)."""
    repl, _ = run_repl(sandbox_target(sandbox), [RIGHT, RIGHT, "AUTH LOGIN", RIGHT, "password123", "QUIT"])
    assert save_from_repl(repl.engine, "") == (False, "usage: /save FILE [--reveal-secrets]")
    assert save_from_repl(repl.engine, "a b")[0] is False
    assert save_from_repl(repl.engine, "'unclosed")[0] is False
    ok, message = save_from_repl(repl.engine, f"'{tmp_path}/my lab.jsonl'")
    assert ok and "AUTH responses removed" in message
    transcript = load_transcript(tmp_path / "my lab.jsonl")
    assert_no_secret((tmp_path / "my lab.jsonl").read_bytes())
    assert "C: <secret removed>" in render_text(transcript).splitlines()
    ok, message = save_from_repl(repl.engine, f"{tmp_path}/kept.jsonl --reveal-secrets")
    assert ok and SECRETS[1] in render_text(load_transcript(tmp_path / "kept.jsonl", reveal_secrets=True))


def test_the_standalone_sandbox_saves_one_file_per_session(make_sandbox, tmp_path) -> None:
    said: list[str] = []
    save = sandbox_saver(tmp_path / "class.jsonl", write=said.append)
    box = make_sandbox(on_event=lambda event: event.kind == "session-ended" and save(event.record))
    record_starttls_session(box)
    record_starttls_session(box)
    assert box.wait_until_idle(5.0)
    box.stop()
    files = sorted(tmp_path.glob("class-*.jsonl"))
    assert [f.name for f in files] == ["class-1.jsonl", "class-2.jsonl"]
    assert len(said) == 2 and all("23 exchange(s)" in line for line in said)
    for path in files:
        assert_no_secret(path.read_bytes())
        assert load_transcript(path).first_tls().index == 5
    broken = sandbox_saver(tmp_path / "missing" / "x.jsonl", write=said.append)
    broken(box.sessions[0])
    assert said[-1].startswith("error: cannot save the session to ")
    assert sandbox_save_path(tmp_path, 7) == tmp_path / "session-7.jsonl"


# -- once the front ends are wired (each test skips until its part is there) -------------------


def test_repl_slash_save(sandbox, tmp_path) -> None:
    from explorer.repl.slash import COMMANDS

    if "save" not in COMMANDS:
        pytest.skip("the REPL has no /save yet (see the integration diff)")
    target = tmp_path / "lab.jsonl"
    repl, out = run_repl(sandbox_target(sandbox), [RIGHT, RIGHT, "AUTH LOGIN", RIGHT, "password123",
                                                   f"/save {target}", "/save", "QUIT"])
    assert f"session saved to {target}: " in out and "usage: /save FILE [--reveal-secrets]" in out
    assert_no_secret(target.read_bytes())
    assert "C: <secret removed>" in render_text(load_transcript(target)).splitlines()


@pytest.mark.parametrize("argv", [
    ["--save", "{file}"],
    ["connect", "127.0.0.1:25", "--save", "{file}", "--reveal-secrets"],
    ["lesson", "first-mail", "--save", "{file}"],
    ["sandbox", "--save", "{file}"],
])
def test_front_ends_take_save_options(tmp_path, argv) -> None:
    from explorer.commands import build_parser

    try:
        args = build_parser().parse_known_args([a.format(file=tmp_path / "s.jsonl") for a in argv])[0]
    except SystemExit:  # an option the parser does not know yet
        args = None
    if getattr(args, "save", None) is None:
        where = "the REPL (no sub-command)" if argv[0].startswith("-") else argv[0]
        pytest.skip(f"{where} has no --save yet (see the integration diff)")
    assert args.save == tmp_path / "s.jsonl"
    assert args.reveal_secrets is ("--reveal-secrets" in argv)


def test_standalone_sandbox_saves_sessions(tmp_path) -> None:
    import inspect
    import io

    from explorer.sandbox import runner
    from explorer.sandbox.server import Sandbox

    if "on_session" not in inspect.signature(runner.run).parameters:
        pytest.skip("the standalone sandbox has no --save yet (see the integration diff)")
    out = io.StringIO()
    box_holder = []

    def make(on_event):
        box = Sandbox(data_dir=tmp_path / "data", on_event=on_event)
        box_holder.append(box)
        return box

    def on_session(record):
        sandbox_saver(tmp_path / "class.jsonl", write=out.write)(record)
        raise KeyboardInterrupt  # one session is enough: stop the sandbox

    import threading

    def client():
        import time
        while not box_holder or not box_holder[0].running:
            time.sleep(0.05)
        record_starttls_session(box_holder[0])

    threading.Thread(target=client, daemon=True).start()
    assert runner.run(make, out=io.StringIO(), err=io.StringIO(), stdin=None, on_session=on_session) == 0
    assert "class-1.jsonl: 23 exchange(s)" in out.getvalue()
    assert_no_secret((tmp_path / "class-1.jsonl").read_bytes())


def test_a_bad_save_path_is_refused_before_the_session() -> None:
    with pytest.raises(SystemExit):
        parse("--save", "/nonexistent-folder/x.jsonl")
