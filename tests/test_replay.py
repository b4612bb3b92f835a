"""The offline replay: steps, keys from a pipe, the REPL's own rendering, secrets left out."""

from __future__ import annotations

from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from repl_driver import RIGHT, run_repl, sandbox_target
from transcript_sessions import (  # noqa: F401 (fixtures)
    assert_no_secret, error_box, error_engine, record_starttls_session, starttls_engine,
)

from explorer.commands import main
from explorer.core.states import State
from explorer.repl import view
from explorer.repl.console import Console
from explorer.reports.replay import Replay, step_lines, steps
from explorer.reports.save import save_engine_session
from explorer.reports.sources import load_transcript

LEFT = "\x1b[D"


def plain(lines) -> str:
    return "\n".join("".join(text for _, text in line) if not isinstance(line, str) else line for line in lines)


def drive(transcript, keys: str) -> tuple[Replay, str]:
    shown: list[str] = []
    with create_pipe_input() as pipe:
        replay = Replay(transcript, console=Console(write=shown.append), input=pipe,
                        output=DummyOutput(), source="lab.jsonl")
        pipe.send_text(keys)
        assert replay.run() == 0
    return replay, "".join(shown)


def test_steps_group_each_command_with_its_replies(starttls_engine, tmp_path) -> None:
    save_engine_session(starttls_engine, tmp_path / "s.jsonl")
    transcript = load_transcript(tmp_path / "s.jsonl")
    found = steps(transcript)
    assert len(found) == 12  # greeting, then 11 things the client sent
    assert (found[0].first, found[0].last) == (0, 0)
    assert all(transcript.exchanges[s.first].direction == "client" for s in found[1:])
    assert [s.last + 1 for s in found[:-1]] == [s.first for s in found[1:]]
    assert found[-1].last == len(transcript.exchanges) - 1


def test_keys_walk_forward_and_back_from_a_pipe(starttls_engine, tmp_path) -> None:
    save_engine_session(starttls_engine, tmp_path / "s.jsonl")
    transcript = load_transcript(tmp_path / "s.jsonl")
    replay, out = drive(transcript, "n\r" + "\x1b[C" + LEFT + "p" + "b" + "x" + "b" + "q")
    assert replay.shown == [1, 2, 3, 4, 3, 2, 1]
    assert "(this is the first step)" in out
    assert out.startswith("Replay of lab.jsonl: 12 steps.")
    assert "-- step 4/12" in out and "C: STARTTLS\\r\\n" in out


def test_the_end_and_ctrl_d(error_engine, tmp_path) -> None:
    save_engine_session(error_engine, tmp_path / "e.jsonl")
    transcript = load_transcript(tmp_path / "e.jsonl")
    total = len(steps(transcript))
    replay, out = drive(transcript, "n" * (total + 1) + "\x04")
    assert replay.shown == list(range(1, total + 1))
    assert "(end of the session" in out
    assert "550" in out and "what to do:" in out
    assert_no_secret(out, "the replay")
    assert "C: AUTH PLAIN <secret removed>\\r\\n" in out


def test_rendering_is_the_repls(starttls_engine) -> None:
    """A step shows what the REPL showed live: the view's own lines for the bytes and replies."""
    from explorer.reports.secrets import prepare

    transcript, _ = prepare(starttls_engine.log)
    step = steps(transcript)[1]  # EHLO and its 250
    ehlo, reply = transcript.exchanges[step.first], transcript.exchanges[step.last]
    text = plain(step_lines(transcript, step, shown_state=State.GREETED))
    assert plain(view.wire_lines("client", ehlo.data)) in text
    assert plain(view.event_lines(reply.event)) in text
    assert "== greeted ==" not in text  # the stage was already shown
    assert "== greeted ==" in plain(step_lines(transcript, step))


def test_a_repl_session_replays_like_it_ran(sandbox, tmp_path) -> None:
    """Driven through the REPL (as a learner), saved, replayed: same bytes, same explanations."""
    repl, live = run_repl(sandbox_target(sandbox), [RIGHT, RIGHT, "RCPT TO:<friend@sandbox.test>", "NOOP"])
    save_engine_session(repl.engine, tmp_path / "r.jsonl")
    transcript = load_transcript(tmp_path / "r.jsonl")
    _, out = drive(transcript, "n" * 10 + "q")
    for line in ("C: EHLO client.example\\r\\n", "C: RCPT TO:<friend@sandbox.test>\\r\\n",
                 "503", "C: QUIT\\r\\n"):
        assert line in out and line in live
    assert "warning (expect 503)" in " ".join(live.split())
    assert "warning (expect 503)" in " ".join(out.split())


def test_cli_replay_all(starttls_engine, tmp_path, capsys) -> None:
    save_engine_session(starttls_engine, tmp_path / "s.jsonl")
    assert main(["replay", str(tmp_path / "s.jsonl"), "--all"]) == 0
    out = capsys.readouterr().out
    assert out.count("-- step ") == 12 and "TLS handshake: everything below is encrypted" in out
    assert_no_secret(out)


def test_an_empty_session_replays_to_a_message(tmp_path, capsys) -> None:
    from explorer.recording.sessionfile import write_session

    write_session(tmp_path / "empty.jsonl", [])
    assert main(["replay", str(tmp_path / "empty.jsonl"), "--all"]) == 0
    assert "Nothing to replay" in capsys.readouterr().out
    assert main(["transcript", str(tmp_path / "empty.jsonl"), "-f", "html"]) == 0
    assert "Nothing crossed the wire" in capsys.readouterr().out
