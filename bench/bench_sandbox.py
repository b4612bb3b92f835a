"""A classroom at once: many concurrent SMTP clients against the standalone sandbox, and the same
load against aiosmtpd with a bare sink handler, in the same run.

    python3 bench/bench_sandbox.py                      # 300 clients, 3000 messages of 1 KiB
    python3 bench/bench_sandbox.py --clients 50 --messages 500

Each client runs sessions one after another (connect, EHLO, MAIL, RCPT, DATA, QUIT: one
message per session) until all messages are sent. It prints messages per second, p50/p99
session latency, the server process's peak RSS and CPU time per message, errors, and for the
sandbox the messages found in its Maildir (byte for byte) against those sent; then the
sink-to-sandbox throughput ratio (medians over the rounds, which alternate the order).
Exit status 1 if a message is lost, a session fails, or the ratio is over --max-ratio.

Both servers listen with a backlog of 1024: with asyncio's default of 100, a few hundred
clients connecting at once lose SYNs, and each loss costs that client a second or more.
Traffic stays on 127.0.0.1; every loop is bounded by the message count and --timeout.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HOST = "127.0.0.1"


def serve_sink(backlog: int) -> None:
    """Child mode: aiosmtpd's SMTP with the stock Sink handler, nothing else."""
    from aiosmtpd.handlers import Sink
    from aiosmtpd.smtp import SMTP

    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(loop.create_server(
        lambda: SMTP(Sink(), hostname="sink.test", enable_SMTPUTF8=True), HOST, 0,
        backlog=backlog))
    print(f"listening on {HOST}:{server.sockets[0].getsockname()[1]}", flush=True)
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, loop.stop)
    loop.run_forever()
    server.close()
    loop.run_until_complete(server.wait_closed())


def message(serial: int, size: int) -> bytes:
    head = (f"From: bench@sandbox.test\r\nTo: student{serial}@sandbox.test\r\n"
            f"Subject: bench message {serial}\r\n\r\n").encode()
    line = b"The quick brown fox jumps over the lazy dog. 0123456789\r\n"
    body = (line * (size // len(line) + 1))[: max(0, size - len(head) - 2)]
    return head + body.rstrip(b"\r\n") + b"\r\n"


async def read_reply(reader: asyncio.StreamReader) -> bytes:
    while True:
        line = await reader.readline()
        if not line:
            raise ConnectionError("connection closed")
        if line[3:4] != b"-":
            return line


async def session(serial: int, size: int, students: int) -> None:
    reader, writer = await asyncio.open_connection(HOST, PORT)
    try:
        expect = [(None, b"220")]
        recipient = f"student{serial % students}@sandbox.test".encode()
        steps = [(b"EHLO bench\r\n", b"250"), (b"MAIL FROM:<bench@sandbox.test>\r\n", b"250"),
                 (b"RCPT TO:<" + recipient + b">\r\n", b"250"), (b"DATA\r\n", b"354"),
                 (message(serial, size) + b".\r\n", b"250"), (b"QUIT\r\n", b"221")]
        for command, code in expect + steps:
            if command is not None:
                writer.write(command)
            reply = await read_reply(reader)
            if not reply.startswith(code):
                raise RuntimeError(f"expected {code.decode()}, got {reply[:80]!r}")
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except OSError:
            pass


PORT = 0


async def drive(port: int, clients: int, total: int, size: int, timeout: float) -> dict:
    global PORT
    PORT = port
    serials = iter(range(total))
    latencies: list[float] = []
    errors: list[str] = []

    async def client() -> None:
        for serial in serials:
            start = time.perf_counter()
            try:
                await asyncio.wait_for(session(serial, size, clients), timeout)
                latencies.append(time.perf_counter() - start)
            except Exception as exc:  # counted, and the first few shown
                errors.append(f"{type(exc).__name__}: {exc}")

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - start
    return {"elapsed": elapsed, "latencies": latencies, "errors": errors}


def start_server(command: list[str]) -> tuple[subprocess.Popen, int, threading.Thread]:
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, bufsize=1)
    deadline = time.monotonic() + 30
    port = None
    while port is None and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            raise SystemExit(f"server exited early: {command}")
        found = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
        port = int(found[1]) if found else None
    if port is None:
        raise SystemExit("server did not report its port")
    # Keep reading its output (the sandbox prints a line per session and per message).
    drain = threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True)
    drain.start()
    return process, port, drain


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def stop_server(process: subprocess.Popen, drain: threading.Thread) -> int:
    process.send_signal(signal.SIGINT)
    status = process.wait(timeout=60)
    drain.join(timeout=10)
    return status


def count_stored(data_dir: Path, total: int, size: int) -> tuple[int, int]:
    """(messages found byte for byte, files that match no message sent)."""
    found, strangers = 0, 0
    expected = {message(serial, size) for serial in range(total)}
    for path in (data_dir / "mail").glob("*/new/*"):
        data = path.read_bytes()
        if data in expected:
            expected.discard(data)
            found += 1
        else:
            strangers += 1
    return found, strangers


def run_one(name: str, command: list[str], args: argparse.Namespace) -> dict:
    process, port, drain = start_server(command)
    try:
        cpu_before = cpu_seconds(process.pid)
        result = asyncio.run(drive(port, args.clients, args.messages, args.size, args.timeout))
        result["cpu"] = (cpu_seconds(process.pid) - cpu_before) / max(1, args.messages)
        result["rss"] = peak_rss_kib(process.pid)
    finally:
        status = stop_server(process, drain)  # the sandbox finishes its writes before exiting
    result["exit"] = status
    result["name"] = name
    return result


def row(result: dict, stored: str) -> str:
    lat = sorted(result["latencies"]) or [0.0]
    p50 = statistics.median(lat) * 1000
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
    return (f"{result['name']:<15} {result['round']:>5} {result['rate']:>9.0f} {p50:>9.1f} "
            f"{p99:>9.1f} {len(result['errors']):>7} {result['rss'] / 1024:>9.1f} "
            f"{result['cpu'] * 1000:>10.2f} {stored:>13}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--size", type=int, default=1024, help="message size in octets")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of (sandbox, sink); the ratio uses the medians")
    parser.add_argument("--timeout", type=float, default=120.0, help="per session, seconds")
    parser.add_argument("--max-ratio", type=float, default=2.0)
    parser.add_argument("--sink-backlog", type=int, default=1024,
                        help="the sink's listen backlog (100 is asyncio's default: try it to "
                        "see connection attempts dropped)")
    parser.add_argument("--serve-sink", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_sink:
        serve_sink(args.sink_backlog)
        return 0
    print(f"load: {args.clients} concurrent clients, {args.messages} messages of {args.size} "
          f"octets, one message per session, {args.rounds} rounds, on {HOST} "
          f"({os.cpu_count()} CPUs shared by clients and server)", flush=True)
    print(f"{'server':<15} {'round':>5} {'msgs/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'errors':>7} "
          f"{'peak MiB':>9} {'CPU ms/msg':>10} {'stored/sent':>13}", flush=True)
    results: dict[str, list[dict]] = {"sandbox": [], "aiosmtpd sink": []}
    lost = strangers = bad_exit = 0
    for number in range(1, args.rounds + 1):
        order = ["sandbox", "aiosmtpd sink"] if number % 2 else ["aiosmtpd sink", "sandbox"]
        for name in order:
            with tempfile.TemporaryDirectory(prefix="bench-sandbox-") as tmp:
                data_dir = Path(tmp)
                if name == "sandbox":
                    command = [sys.executable, "-m", "explorer", "sandbox", "--port", "0",
                               "--data-dir", str(data_dir)]
                else:
                    command = [sys.executable, os.path.abspath(__file__), "--serve-sink",
                               "--sink-backlog", str(args.sink_backlog)]
                result = run_one(name, command, args)
                result["round"] = number
                result["rate"] = len(result["latencies"]) / result["elapsed"]
                if name == "sandbox":
                    found, extra = count_stored(data_dir, args.messages, args.size)
                    lost += args.messages - found
                    strangers += extra
                    stored = f"{found}/{args.messages}"
                else:
                    stored = "(discarded)"
            bad_exit += result["exit"] != 0
            results[name].append(result)
            print(row(result, stored), flush=True)
    sandbox_rate = statistics.median(r["rate"] for r in results["sandbox"])
    sink_rate = statistics.median(r["rate"] for r in results["aiosmtpd sink"])
    ratio = sink_rate / sandbox_rate if sandbox_rate else float("inf")
    errors = [e for rs in results.values() for r in rs for e in r["errors"]]
    sandbox_cpu = statistics.median(r["cpu"] for r in results["sandbox"])
    sink_cpu = statistics.median(r["cpu"] for r in results["aiosmtpd sink"])
    print(f"median msgs/s: sandbox {sandbox_rate:.0f}, aiosmtpd sink {sink_rate:.0f}; "
          f"sink/sandbox ratio {ratio:.2f}x (target <= {args.max_ratio:g}x)")
    print(f"median server CPU per message: sandbox {sandbox_cpu * 1000:.2f} ms, aiosmtpd sink "
          f"{sink_cpu * 1000:.2f} ms ({sandbox_cpu / sink_cpu:.2f}x; clients and both servers "
          "share the CPUs, so this is the steadier figure on a busy machine)")
    print(f"messages lost: {lost}; unexpected files: {strangers}; session errors: "
          f"{len(errors)}; servers that did not exit 0: {bad_exit}")
    for error in errors[:5]:
        print(f"  error: {error}")
    failed = lost or strangers or errors or bad_exit or ratio > args.max_ratio
    print("RESULT: " + ("FAIL" if failed else "PASS"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
