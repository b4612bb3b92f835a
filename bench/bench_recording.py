"""The recording's cost: the one redaction over a session with a large message (what the sandbox
does for every session it logs, and every saved file), and the reader's bound.

    python3 bench/bench_recording.py                 # a 10 MiB message, 5 repetitions
    python3 bench/bench_recording.py --mib 1 --repeat 20

Prints, per size: the median time of ``redact`` and its throughput, the time to read the saved
file back, and how long the reader takes to refuse a 1 GB file and /dev/zero (it must not read
them). CPU time, so that other work on the machine does not count.
"""

from __future__ import annotations

import argparse
import base64
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from explorer.recording import Chunk, SessionFileError, read_recordings, redact, write_session  # noqa: E402


def session(mib: int) -> list[Chunk]:
    blob = base64.b64encode(b"\0learner@sandbox.test\0learner-pass")
    line = b"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\r\n"
    body = line * (mib * 1024 * 1024 // len(line))
    return [Chunk(0.0, "server", b"220 sandbox.test ESMTP\r\n"),
            Chunk(0.1, "client", b"EHLO pc\r\n"), Chunk(0.2, "server", b"250 ok\r\n"),
            Chunk(0.3, "client", b"AUTH PLAIN " + blob + b"\r\n"), Chunk(0.4, "server", b"235 ok\r\n"),
            Chunk(0.5, "client", b"MAIL FROM:<learner@sandbox.test>\r\nRCPT TO:<friend@sandbox.test>\r\nDATA\r\n"),
            Chunk(0.6, "server", b"250 ok\r\n250 ok\r\n354 go\r\n"),
            *[Chunk(0.7, "client", body[i:i + 65536]) for i in range(0, len(body), 65536)],
            Chunk(0.8, "client", b".\r\nQUIT\r\n"), Chunk(0.9, "server", b"250 queued\r\n221 bye\r\n")]


def cpu(action) -> float:
    start = time.process_time()
    action()
    return time.process_time() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mib", type=int, default=10, help="message size in MiB (default 10)")
    parser.add_argument("--repeat", type=int, default=5, help="repetitions (default 5)")
    args = parser.parse_args()
    chunks = session(args.mib)
    size = sum(len(c.data) for c in chunks)
    times = [cpu(lambda: redact(chunks)) for _ in range(args.repeat)]
    median = statistics.median(times)
    print(f"redact: {size / 1e6:.1f} MB session, median {median * 1000:.1f} ms CPU, "
          f"{size / 1e6 / median:.0f} MB/s")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.jsonl"
        print(f"write_session (redacted): {cpu(lambda: write_session(path, chunks)) * 1000:.1f} ms CPU, "
              f"{path.stat().st_size / 1e6:.1f} MB on disk")
        print(f"read_recordings: {cpu(lambda: read_recordings(path)) * 1000:.1f} ms CPU")
        huge = Path(tmp) / "huge.jsonl"
        with open(huge, "wb") as stream:
            stream.truncate(1024 ** 3)
        for name in (huge, Path("/dev/zero")):  # the device only where there is one
            if not name.exists():
                continue
            start = time.perf_counter()
            try:
                read_recordings(name)
            except SessionFileError as exc:
                print(f"refused in {(time.perf_counter() - start) * 1000:.2f} ms: {exc}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
