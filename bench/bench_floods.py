"""The standalone sandbox flooded: a command line with no end, clients that drip one byte at a
time, a burst of connections at the session cap, and the stop that follows.

    python3 bench/bench_floods.py                         # 1 GiB line, 1000 drips, burst 60/50
    python3 bench/bench_floods.py --line-mib 64 --drips 100   # a quick look

It starts ``python3 -m explorer sandbox --port 0`` (as an instructor does) and prints, per
phase: what the server took of a line with no CRLF before refusing it, how long that took, the
server's peak memory (VmHWM, Linux) and the size of its session log; how long after ``--drips``
clients dripping one byte every ``--drip-every`` seconds filled the cap a newcomer is served
(the command timeout cuts them); how many of a burst of 60 connections at cap 50 are greeted
with 220 and how many refused with 421; and how long SIGINT takes to stop it, and whether its
error output stays empty. Traffic stays on 127.0.0.1; every loop is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parents[1]


def start(data: Path, *options: str) -> tuple[subprocess.Popen, int]:
    process = subprocess.Popen(
        [sys.executable, "-m", "explorer", "sandbox", "--port", "0", "--data-dir", str(data),
         *options], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    first = b""
    deadline = time.monotonic() + 60
    while b"\n" not in first:  # read the pipe itself: communicate() gets the rest later
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([process.stdout], [], [], left)[0]:
            raise SystemExit("the sandbox did not start")
        chunk = os.read(process.stdout.fileno(), 65536)
        if not chunk:
            raise SystemExit(f"the sandbox exited: {process.stderr.read().decode()}")
        first += chunk
    return process, int(first.split(b"\n", 1)[0].rsplit(b":", 1)[1])


def peak_memory(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return f"{int(line.split()[1]) / 1024:.0f} MiB"
    except OSError:
        pass
    return "n/a (no /proc)"


def stop(process: subprocess.Popen) -> None:
    began = time.monotonic()
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    last = out.decode(errors="replace").strip().splitlines()[-1:]
    print(f"  stop: exit {process.returncode} after {time.monotonic() - began:.2f} s, "
          f"error output {len(err)} octets{': ' + err.decode()[:200] if err else ''}; "
          f"last line: {last[0] if last else '(none)'}")


async def line_flood(port: int, mebibytes: int) -> None:
    reader, writer = await asyncio.open_connection(HOST, port)
    await reader.readline()
    # Read while writing, as a client should: the reply comes long before the line would end.
    replied = asyncio.create_task(reader.readline())
    chunk, taken, began = b"x" * (1 << 20), 0, time.monotonic()
    try:
        for _ in range(mebibytes):
            if replied.done():
                break
            writer.write(chunk)
            await asyncio.wait_for(writer.drain(), 30)
            taken += len(chunk)
    except (OSError, asyncio.TimeoutError):
        pass
    try:
        reply = await asyncio.wait_for(replied, 10)
    except asyncio.TimeoutError:
        reply = b"(no reply within 10 s)"
    except OSError as exc:
        reply = f"(the connection failed: {exc})".encode()
    print(f"  a line of {mebibytes} MiB with no CRLF: client wrote {taken / (1 << 20):.0f} MiB "
          f"before the server closed, in {time.monotonic() - began:.2f} s; reply: "
          f"{reply.decode(errors='replace').strip() or '(none)'}")
    writer.close()


async def drips(port: int, count: int, every: float) -> None:
    opened = []
    for _ in range(count):
        reader, writer = await asyncio.open_connection(HOST, port)
        await reader.readline()
        opened.append((reader, writer))

    async def drip(reader, writer) -> None:
        try:
            for _ in range(int(600 / every)):
                writer.write(b"x")
                await writer.drain()
                await asyncio.sleep(every)
                if reader.at_eof():
                    return
        except OSError:
            return

    tasks = [asyncio.create_task(drip(r, w)) for r, w in opened]
    began, refused = time.monotonic(), 0
    while time.monotonic() - began < 600:
        reader, writer = await asyncio.open_connection(HOST, port)
        greeting = await reader.readline()
        writer.close()
        if greeting.startswith(b"220"):
            break
        refused += 1
        await asyncio.sleep(0.1)
    print(f"  {count} drip clients (a byte every {every:g} s) filling the cap: a newcomer was "
          f"refused {refused} times, then served after {time.monotonic() - began:.2f} s")
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for _, writer in opened:
        writer.close()


async def burst(port: int, count: int) -> None:
    async def one() -> bytes:
        reader, writer = await asyncio.open_connection(HOST, port)
        line = await asyncio.wait_for(reader.readline(), 30)
        return line[:3], writer

    results = await asyncio.gather(*(one() for _ in range(count)))
    codes = [code for code, _ in results]
    print(f"  a burst of {count} at cap 50: {codes.count(b'220')} greeted with 220, "
          f"{codes.count(b'421')} refused with 421")
    for _, writer in results:
        writer.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--line-mib", type=int, default=1024)
    parser.add_argument("--drips", type=int, default=1000)
    parser.add_argument("--drip-every", type=float, default=5.0)
    parser.add_argument("--command-timeout", type=float, default=10.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print("line flood:")
        process, port = start(Path(tmp) / "flood")
        asyncio.run(line_flood(port, args.line_mib))
        print(f"  server peak memory {peak_memory(process.pid)}")
        stop(process)
        log = Path(tmp) / "flood" / "sessions.jsonl"
        print(f"  session log: {log.stat().st_size if log.exists() else 0} octets")
        if args.drips:
            print("drips:")
            process, port = start(Path(tmp) / "drips", "--max-sessions", str(args.drips),
                                  "--command-timeout", f"{args.command_timeout:g}")
            asyncio.run(drips(port, args.drips, args.drip_every))
            stop(process)
        print("burst:")
        process, port = start(Path(tmp) / "burst", "--max-sessions", "50")
        asyncio.run(burst(port, 60))
        stop(process)
    return 0


if __name__ == "__main__":
    sys.exit(main())
