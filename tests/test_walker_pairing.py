"""Pairing replies with commands across a whole recording: pipelined replies that arrive in one
chunk (as Postfix writes them), and a recording of two connections (the REPL's /connect), give
the same pairing and findings in the linter (inspect) and in the transcripts."""

from __future__ import annotations

import base64

from clients import GOOD, LEARNER, PASSWORD, Wire

from explorer.recording.walker import analyse
from explorer.recording import Chunk
from explorer.reports.annotate import annotate


def recorded(box, count: int = 1):
    assert box.wait_until_idle()
    records = sorted(box.sessions, key=lambda r: r.id)
    assert len(records) == count
    return records


def merge_server_chunks(chunks) -> list[Chunk]:
    """The same bytes, each run of server chunks written at once: as a server that answers a
    pipelined group in one write sends them."""
    out: list[Chunk] = []
    for chunk in chunks:
        if out and chunk.direction == "server" == out[-1].direction:
            out[-1] = out[-1]._replace(data=out[-1].data + chunk.data)
        else:
            out.append(Chunk(chunk.time, chunk.direction, chunk.data))
    return out


def lint_pairs(chunks) -> list[tuple[int, str | None]]:
    return [(e.reply.code, e.to) for e in analyse(chunks).server if e.reply is not None]


def transcript_pairs(chunks) -> list[tuple[int, str | None]]:
    return [(e.code, e.name) for e in annotate(chunks).exchanges if e.kind == "reply"]


def keys(chunks) -> list[str]:
    return [f.key for f in analyse(chunks).findings]


def pipelined_session(box) -> list[Chunk]:
    w = Wire.to(box).ehlo()
    w.send(b"MAIL FROM:<learner@sandbox.test>\r\nRCPT TO:<friend@sandbox.test>\r\nDATA\r\n")
    assert w.reply().startswith(b"250") and w.reply().startswith(b"250")
    assert w.reply().startswith(b"354")
    w.send(GOOD + b".\r\nQUIT\r\n")
    assert w.reply().startswith(b"250") and w.reply().startswith(b"221")
    w.close()
    (record,) = recorded(box)
    return list(record.chunks)


def test_pipelined_replies_in_one_chunk_pair_as_sent(sandbox) -> None:
    chunks = pipelined_session(sandbox)
    merged = merge_server_chunks(chunks)
    expected = [(220, "GREETING"), (250, "EHLO"), (250, "MAIL"), (250, "RCPT"), (354, "DATA"),
                (250, "BODY"), (221, "QUIT")]
    for recording in (chunks, merged):
        assert lint_pairs(recording) == expected
        assert transcript_pairs(recording) == expected
        assert keys(recording) == []  # no "nobody asked", no content-as-commands, no no-wait


def test_two_connections_are_two_sessions(make_sandbox) -> None:
    box = make_sandbox()
    blob = base64.b64encode(b"\0" + LEARNER.encode() + b"\0" + PASSWORD.encode())
    for _ in range(2):
        w = Wire.to(box).ehlo()
        assert w.cmd(b"AUTH PLAIN " + blob + b"\r\n").startswith(b"235")
        assert w.cmd(b"STARTTLS\r\n")[:3] in (b"220", b"503", b"554")
        w.close()
    first, second = recorded(box, 2)
    both = list(first.chunks) + list(second.chunks)
    assert keys(both) == keys(first.chunks) + keys(second.chunks)
    assert lint_pairs(both) == lint_pairs(first.chunks) + lint_pairs(second.chunks)
    assert transcript_pairs(both) == transcript_pairs(first.chunks) + transcript_pairs(second.chunks)
    assert analyse(both).username == LEARNER


def test_the_repl_recording_pairs_the_same_everywhere(sandbox) -> None:
    from repl_driver import run_repl, sandbox_target

    typed = ["/connect", "EHLO me",
             "/raw MAIL FROM:<learner@sandbox.test>\\r\\nRCPT TO:<friend@sandbox.test>\\r\\nDATA\\r\\n",
             "/wait", "Subject: hi", "", "hello", ".", "QUIT"]
    repl, shown = run_repl(sandbox_target(sandbox), typed, sandbox=lambda: sandbox)
    log = list(repl.engine.log)
    for recording in (log, merge_server_chunks(log)):
        pairs = lint_pairs(recording)
        assert pairs == transcript_pairs(recording)
        assert [(250, "MAIL"), (250, "RCPT"), (354, "DATA")] == [p for p in pairs if p[1] in ("MAIL", "RCPT", "DATA")]
    assert keys(log) == keys(merge_server_chunks(log))
