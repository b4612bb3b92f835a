"""The sandbox flooded: lines with no end, clients that drip one byte at a time, bursts at the
session cap. Real clients on 127.0.0.1, bounded loops; timing figures are in bench/, not here."""

from __future__ import annotations

import json
import select
import socket
import threading
import time

from hypothesis import given, settings, strategies as st

from explorer.sandbox.lineguard import TEXT_KEEP, LineGuard, Mode

COMMAND_TOO_LONG = (b"500 5.5.2 Command line too long (RFC 5321 4.5.3.1.4: 512 octets with "
                    b"CRLF)\r\n")
LINE_TOO_LONG = b"500 5.5.2 Line too long (RFC 5321 4.5.3.1.6: 1000 octets with CRLF)\r\n"
TIMEOUT = b"421 4.4.2 sandbox.test Error: timeout exceeded\r\n"
TOO_MANY = b"421 4.7.0 sandbox.test Too many concurrent sessions, try again later\r\n"


def _send_until_closed(sock: socket.socket, data: bytes, chunk: int = 65536) -> int:
    """Send ``data`` until the server stops taking it; returns the octets it took."""
    sent = 0
    try:
        while sent < len(data):
            sent += sock.send(data[sent:sent + chunk])
    except OSError:  # reset or broken pipe: the server closed, as it should
        pass
    return sent


def _answered(conn, seconds: float) -> bool:
    """True once the server has sent something (left unread for ``conn.reply()``)."""
    return bool(conn.buffer) or bool(select.select([conn.sock], [], [], seconds)[0])


def _finished(box, count: int = 1):
    assert box.wait_until_idle()
    records = box.sessions
    assert len(records) == count
    return records


def test_a_command_line_without_end_is_refused_and_closed(sandbox, raw):
    conn = raw(sandbox)
    conn.reply()
    conn.send(b"EHLO pc\r\n")
    conn.reply()
    flood = b"NOOP " + b"x" * (8 * 1024 * 1024)  # 8 MiB and never a line end
    sender = threading.Thread(target=_send_until_closed, args=(conn.sock, flood))
    sender.start()
    assert conn.reply() == COMMAND_TOO_LONG
    assert conn.closed()
    sender.join(10)
    assert not sender.is_alive()
    [record] = _finished(sandbox)
    assert record.outcome == "command-too-long"
    # What was kept of the line: up to the octet that passed the limit (510 without CRLF).
    assert record.client_bytes() == b"EHLO pc\r\n" + flood[:511]
    sandbox.stop()  # the log line is written just after the record is marked finished
    [logged] = (sandbox.data_dir / "sessions.jsonl").read_text().splitlines()
    assert len(logged) < 4096 and json.loads(logged)["outcome"] == "command-too-long"


def test_the_limit_follows_the_command(sandbox, raw):
    conn = raw(sandbox)
    conn.reply()
    conn.send(b"EHLO pc\r\n")
    conn.reply()
    # MAIL may carry SIZE and SMTPUTF8 parameters: 36 octets more than other commands.
    conn.send(b"MAIL FROM:<" + b"a" * 520 + b"@x.test> SIZE=1\r\n")
    assert conn.reply()[:1] in b"25"
    # An AUTH response to 334 may be longer than a command (RFC 4954 4).
    conn.send(b"AUTH LOGIN\r\n")
    assert conn.reply() == b"334 VXNlcm5hbWU6\r\n"
    conn.send(b"QUFB" * 200 + b"\r\n")  # 800 octets of Base64
    assert conn.reply() == b"334 UGFzc3dvcmQ6\r\n"
    conn.send(b"*\r\n")
    assert conn.reply().startswith(b"501")
    conn.send(b"RSET " + b"r" * 600)  # a plain command over its 510: refused before its end
    assert conn.reply() == COMMAND_TOO_LONG
    assert conn.closed()


def test_a_text_line_without_end_is_not_buffered(sandbox, raw):
    conn = raw(sandbox).ehlo()
    conn.send(b"MAIL FROM:<learner@sandbox.test>\r\nRCPT TO:<friend@sandbox.test>\r\nDATA\r\n")
    assert [conn.reply()[:3] for _ in range(3)] == [b"250", b"250", b"354"]
    head = b"Subject: flood\r\n\r\n"
    conn.send(head)
    long_line = b"y" * (4 * 1024 * 1024)
    assert _send_until_closed(conn.sock, long_line) == len(long_line)
    conn.send(b"\r\n.\r\n")
    assert conn.reply() == LINE_TOO_LONG  # after the final dot, as RFC 5321 4.2.5 suggests
    assert conn.cmd(b"NOOP\r\n") == b"250 2.0.0 OK\r\n"  # and the session goes on
    assert sandbox.messages() == []
    record = sandbox.sessions[0]
    sent = record.client_bytes()
    assert sent.endswith(head + long_line[:TEXT_KEEP] + b"\r\n.\r\nNOOP\r\n")
    assert len(sent) < 2 * TEXT_KEEP


def test_a_drip_is_cut_by_the_command_timeout(make_sandbox, raw):
    box = make_sandbox(idle_timeout=30, command_timeout=0.5)
    conn = raw(box)
    conn.reply()
    for byte in b"NOOP and a very slow rest of the line" * 4:  # at most 14.8 s
        conn.send(bytes([byte]))
        if _answered(conn, 0.1):
            break
    assert conn.reply() == TIMEOUT
    assert conn.closed()
    [record] = _finished(box)
    assert record.outcome == "command-timeout"
    kept = record.client_bytes()  # every byte that arrived before the cut, and no line end
    assert len(kept) >= 4 and bytes(conn.sent).startswith(kept) and b"\n" not in kept


def test_drip_clients_do_not_lock_everyone_out(make_sandbox, raw):
    box = make_sandbox(max_sessions=3, idle_timeout=30, command_timeout=0.6)
    drips = [raw(box) for _ in range(3)]
    for drip in drips:
        assert drip.reply().startswith(b"220 ")
    late = raw(box)
    assert late.reply() == TOO_MANY  # the cap is full of drips
    cut: list[bytes] = []
    for _ in range(100):  # one byte each every 0.05 s, until the server has had enough
        for drip in drips:
            drip.send(b"x")
        time.sleep(0.05)
        if _answered(drips[0], 0.01):
            break
    for drip in drips:
        cut.append(drip.reply())
    assert cut == [TIMEOUT] * 3
    assert box.wait_until_idle()
    assert raw(box).reply().startswith(b"220 ")  # served now
    assert sorted(r.outcome for r in box.sessions if not r.live) == [
        "command-timeout"] * 3 + ["too-many-sessions"]


def test_a_burst_at_the_cap_serves_the_cap(make_sandbox):
    box = make_sandbox(max_sessions=50)
    socks = [socket.create_connection((box.host, box.port), timeout=10) for _ in range(60)]
    try:
        greetings = []
        for sock in socks:
            data = b""
            while not data.endswith(b"\r\n"):
                chunk = sock.recv(4096)
                if not chunk:
                    break
                data += chunk
            greetings.append(data[:4])
        assert greetings.count(b"220 ") == 50
        assert greetings.count(b"421 ") == 10
    finally:
        for sock in socks:
            sock.close()
    assert box.wait_until_idle()
    assert [r.outcome for r in box.sessions].count("too-many-sessions") == 10


# -- the guard alone: its verdict never depends on how TCP cuts the stream -------------------

def _limits(head: bytes, mode: Mode) -> int:
    if mode is Mode.AUTH:
        return 999
    return 546 if head[:4].upper() == b"MAIL" else 510


def _feed(chunks: list[bytes]) -> tuple[bytes, bool]:
    guard = LineGuard(_limits)
    passed = b""
    for chunk in chunks:
        fed = guard.feed(chunk)
        passed += fed.data
        if fed.too_long:
            return passed, True
    return passed, False


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(st.tuples(st.sampled_from([b"NOOP ", b"MAIL FROM:", b"x"]),
                                st.integers(0, 700), st.sampled_from([b"\r\n", b"\n", b""])),
                      min_size=1, max_size=4),
       cuts=st.lists(st.integers(0, 3000), max_size=8))
def test_the_verdict_does_not_depend_on_chunking(lines, cuts):
    stream = b"".join(verb + b"a" * size + end for verb, size, end in lines)
    whole = _feed([stream])
    points = sorted({0, len(stream), *(c for c in cuts if c < len(stream))})
    assert _feed([stream[a:b] for a, b in zip(points, points[1:])]) == whole
    # And the verdict is the rule itself: some line's content over its command's limit.
    over = False
    for line in stream.split(b"\n"):
        over = over or len(line.rstrip(b"\r")) > _limits(line[:8], Mode.COMMAND)
    assert whole[1] == over


def test_a_message_over_the_size_limit_is_not_kept_whole_in_the_record(make_sandbox, raw):
    from explorer.sandbox.reading import TEXT_RECORD_SLACK

    box = make_sandbox(max_message_size=10_000)
    conn = raw(box).ehlo()
    conn.send(b"MAIL FROM:<learner@sandbox.test>\r\nRCPT TO:<friend@sandbox.test>\r\nDATA\r\n")
    assert [conn.reply()[:3] for _ in range(3)] == [b"250", b"250", b"354"]
    line = b"z" * 998 + b"\r\n"
    text = line * 2000  # 2 MB, 200 times the limit, in lines of legal length
    assert _send_until_closed(conn.sock, text) == len(text)
    conn.send(b".\r\n")
    assert conn.reply() == b"552 5.3.4 Message size exceeds fixed maximum message size\r\n"
    assert conn.cmd(b"NOOP\r\n") == b"250 2.0.0 OK\r\n"
    sent = box.sessions[0].client_bytes()
    start = sent.index(b"DATA\r\n") + len(b"DATA\r\n")
    kept = sent[start:]
    assert len(kept) <= 10_000 + TEXT_RECORD_SLACK + len(b"\r\n.\r\nNOOP\r\n")
    assert kept.startswith(text[:10_000 + TEXT_RECORD_SLACK - 1000])
    assert kept.endswith(b"z.\r\nNOOP\r\n")  # cut, but the final dot is still recorded
    assert box.messages() == []


@settings(max_examples=200, deadline=None)
@given(size=st.integers(0, 9000), cuts=st.lists(st.integers(0, 9100), max_size=6),
       near_end=st.lists(st.integers(1, 6), max_size=3))
def test_the_record_of_a_long_message_keeps_its_final_dot_however_cut(size, cuts, near_end):
    from explorer.sandbox.reading import TEXT_RECORD_SLACK, ReadingLimits

    reading = ReadingLimits.__new__(ReadingLimits)  # only the record's bookkeeping
    reading.data_size_limit = 10
    reading._guard = LineGuard(_limits)
    reading._next_line_is(b"354 go ahead\r\n")
    stream = (b"a" * 70 + b"\r\n") * (size // 72) + b".\r\n"
    cuts += [len(stream) - back for back in near_end]  # through the final CRLF . CRLF too
    points = sorted({0, len(stream), *(c for c in cuts if 0 < c < len(stream))})
    kept = b"".join(reading._to_record(stream[a:b]) for a, b in zip(points, points[1:]))
    limit = 10 + TEXT_RECORD_SLACK
    assert kept == stream if len(stream) <= limit else (
        kept.startswith(stream[:limit]) and kept.endswith(b".\r\n") and len(kept) <= limit + 3)
