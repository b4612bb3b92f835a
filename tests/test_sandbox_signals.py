"""The standalone sandbox stops cleanly on SIGINT at any moment: while Python starts, while it
imports, while the server starts, while it serves; in the foreground and as a background job
(which inherits SIGINT as ignored)."""

from __future__ import annotations

import os
import random
import select
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUNS = 50
AT_ONCE = 5
STOPPED = "smtp-explorer sandbox stopped cleanly: 0 sessions, 0 messages accepted"
pytestmark = pytest.mark.skipif(os.name != "posix", reason="sends POSIX signals")


def _spawn(data: Path, background: bool) -> subprocess.Popen:
    # A shell starts a background job with SIGINT ignored; exec keeps it ignored.
    ignore = (lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if background else None
    return subprocess.Popen(
        [sys.executable, "-m", "explorer", "sandbox", "--port", "0", "--data-dir", str(data)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=ignore, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})


def _caught(pid: int) -> int:
    """Linux: the mask of signals the process has handlers for (SigCgt in /proc)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("SigCgt:"):
                return int(line.split()[1], 16)
    return 0


def _first_line(process: subprocess.Popen, timeout: float = 30) -> str:
    """What the process wrote up to its first line end and what came with it in the same
    read, read from the pipe itself (a buffered reader would keep the rest from communicate)."""
    data = b""
    deadline = time.monotonic() + timeout
    fd = process.stdout.fileno()
    while b"\n" not in data:
        left = deadline - time.monotonic()
        assert left > 0 and select.select([fd], [], [], left)[0], f"no first line: {data!r}"
        chunk = os.read(fd, 65536)
        assert chunk, f"output ended: {data!r}"
        data += chunk
    return data.decode()


def _one_run(data: Path, background: bool, serving: bool, delay: float) -> str:
    process = _spawn(data, background)
    try:
        if serving:  # a moment while it serves: after its first line
            first = _first_line(process)
            assert first.startswith("smtp-explorer sandbox listening on"), first
        else:
            # The clock starts at the program's first line (explorer/__main__.py, which installs
            # the stop handlers; SIGTERM has none before it). Before it, no code of ours runs: in
            # the background the kernel drops an ignored SIGINT, and in the foreground Python's
            # own handler may raise KeyboardInterrupt inside an import's weakref callback, where
            # the interpreter reports it as "Exception ignored" and goes on.
            deadline = time.monotonic() + 20
            while not _caught(process.pid) & (1 << (signal.SIGTERM - 1)):
                assert time.monotonic() < deadline and process.poll() is None, "no handler"
                time.sleep(0.001)
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=40)
        out = (first if serving else "") + out
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert str(ROOT) not in err, err  # never a traceback through the program's code
    assert (process.returncode, err) == (0, ""), (process.returncode, out, err)
    lines = out.splitlines()
    assert lines[-2:] == ["stopping: letting messages being stored finish...", STOPPED]
    if lines[0].startswith("smtp-explorer sandbox listening on"):
        assert lines[lines.index("Press Ctrl-C to stop.") + 1:-2] == [""], lines
        return "stopped while serving"
    # The request came while it started: it stops as soon as it is up, serving no one.
    assert lines == ["", "stopping: letting messages being stored finish...", STOPPED]
    return "stopped before serving"


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_sigint_at_random_moments_always_stops(tmp_path):
    rng = random.Random(int(time.time()))
    # Half the runs at a random moment of the start (from the first line of the program), half
    # at a random moment while serving.
    plan = [(tmp_path / f"run{i}", i % 2 == 1, i % 4 >= 2,
             rng.uniform(0.0, 0.5 if i % 4 >= 2 else 2.0)) for i in range(RUNS)]
    with ThreadPoolExecutor(AT_ONCE) as pool:
        kinds = list(pool.map(lambda args: _one_run(*args), plan))
    print({kind: kinds.count(kind) for kind in set(kinds)})
    assert len(kinds) == RUNS


def test_stop_during_a_flood_has_no_traceback(tmp_path):
    process = _spawn(tmp_path / "data", background=True)
    try:
        port = int(_first_line(process).split("\n", 1)[0].rsplit(":", 1)[1])
        flood = socket.create_connection(("127.0.0.1", port), timeout=10)
        assert flood.recv(4096).startswith(b"220 ")
        sent = 0
        try:  # 64 MiB with no line end: cut off after 512 octets
            while sent < 64 * 1024 * 1024:
                sent += flood.send(b"x" * 65536)
        except OSError:
            pass
        reply = flood.recv(4096)
        assert reply.startswith(b"500 5.5.2 Command line too long"), reply
        waiting = socket.create_connection(("127.0.0.1", port), timeout=10)
        assert waiting.recv(4096).startswith(b"220 ")
        waiting.sendall(b"EHLO pc\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<friend@sandbox.test>\r\n"
                        b"DATA\r\nSubject: half")
        time.sleep(0.3)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert (process.returncode, err) == (0, "")
    assert "command line too long: refused and closed (500)" in out
    assert out.splitlines()[-1] == ("smtp-explorer sandbox stopped cleanly: 2 sessions, "
                                    "0 messages accepted")
    log = (tmp_path / "data" / "sessions.jsonl").read_bytes()
    assert len(log) < 8192


def test_a_kept_signal_is_delivered_when_a_command_releases_it():
    from explorer import stopping

    before = signal.getsignal(signal.SIGINT)
    stopping.catch_early()
    try:
        signal.raise_signal(signal.SIGINT)  # during start-up: kept, not raised in this frame
        assert stopping.requested() == signal.SIGINT
        with pytest.raises(KeyboardInterrupt):  # a command that does not take it over
            stopping.release()
    finally:
        stopping.release(deliver=False)
    assert signal.getsignal(signal.SIGINT) is before and stopping.requested() is None


def test_without_loop_signal_handlers_the_early_handler_stops_it(tmp_path, monkeypatch):
    # Windows: asyncio's loops have no add_signal_handler. The handler kept from start-up
    # wakes the runner's loop instead.
    import asyncio
    import io
    import threading

    from explorer.sandbox import runner
    from explorer.sandbox.server import Sandbox

    def unsupported(self, *args, **kwargs):
        raise NotImplementedError

    monkeypatch.setattr(asyncio.SelectorEventLoop, "add_signal_handler", unsupported)
    before = signal.getsignal(signal.SIGINT)
    out = io.StringIO()
    boxes = []

    def make(on_event):
        boxes.append(Sandbox(data_dir=tmp_path / "data", on_event=on_event, tls=False))
        return boxes[-1]

    def interrupt_once_serving() -> None:
        deadline = time.monotonic() + 30
        while not (boxes and boxes[0].running) and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=interrupt_once_serving, daemon=True).start()
    assert runner.run(make, out=out, err=io.StringIO(), stdin=None) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("smtp-explorer sandbox listening on 127.0.0.1:")
    assert lines[-1] == STOPPED
    assert signal.getsignal(signal.SIGINT) is before  # given back


# What the installed `smtp-explorer` script runs: "from MODULE import FUNCTION; sys.exit(FUNCTION())"
# with the entry point of pyproject.toml. An audit hook notes SIGINT's handler when argparse, the
# first slow import of the command line, starts loading.
CONSOLE_SCRIPT = """
import signal, sys, tomllib
entry = tomllib.load(open("pyproject.toml", "rb"))["project"]["scripts"]["smtp-explorer"]
module, function = entry.split(":")
seen = []
def hook(event, args):
    if event == "import" and args[0] == "argparse" and not seen:
        seen.append(signal.getsignal(signal.SIGINT))
sys.addaudithook(hook)
sys.argv = ["smtp-explorer", "--version"]
try:
    getattr(__import__(module, fromlist=[function]), function)()
except SystemExit:
    pass
print(getattr(seen[0], "__qualname__", seen[0]), file=sys.stderr)
"""


def test_the_console_script_keeps_stop_signals_before_its_slow_imports():
    done = subprocess.run([sys.executable, "-c", CONSOLE_SCRIPT], capture_output=True, text=True, timeout=60,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                          preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    assert done.stderr.strip() == "_keep"
