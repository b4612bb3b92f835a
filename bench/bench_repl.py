"""How long a learner waits on the REPL.

1. Launch to first prompt: ``smtp-explorer`` (embedded sandbox) against a bare prompt_toolkit
   prompt, both spawned in a pseudo-terminal in the same run, alternately, median of N launches each.
   Target: within 1.5x of the bare prompt.
2. A full session (EHLO, AUTH PLAIN, MAIL, RCPT, DATA, message, QUIT) through the REPL's engine
   against the sandbox, against smtplib holding the same conversation with the same sandbox.
   Target: within 1.5x of smtplib.

Run: ``python3 bench/bench_repl.py [--launches N] [--sessions N]``. Prints figures; exits 1 if
a target is missed.
"""

from __future__ import annotations

import argparse
import os
import smtplib
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pexpect

from explorer.core.commands import AuthLine, MessageData, parse_command
from explorer.core.auth import plain_response
from explorer.client.engine import Engine, Target
from explorer.sandbox import Sandbox

BARE = "from prompt_toolkit import prompt; prompt('bare> ')"
MESSAGE = "From: <learner@sandbox.test>\r\nTo: <friend@sandbox.test>\r\nSubject: bench\r\n\r\n" + ("x" * 98 + "\r\n") * 10


def time_to_prompt(command: list[str], marker: str, env: dict[str, str], launches: int) -> list[float]:
    times = []
    for _ in range(launches):
        started = time.perf_counter()
        child = pexpect.spawn(command[0], command[1:], env=env, dimensions=(40, 120))
        child.expect(marker, timeout=60)
        times.append(time.perf_counter() - started)
        child.terminate(force=True)
    return times


def engine_session(target: Target) -> None:
    engine = Engine(target)
    engine.connect()
    plain = plain_response("learner@sandbox.test", "password123").encoded
    for line in ("EHLO bench.example", f"AUTH PLAIN {plain}", "MAIL FROM:<learner@sandbox.test>",
                 "RCPT TO:<friend@sandbox.test>", "DATA"):
        outcome = engine.send(parse_command(line))
        assert outcome.events and outcome.events[-1].reply.code < 400, (line, outcome.events)
    outcome = engine.send(MessageData.from_text(MESSAGE))
    assert outcome.events[-1].reply.code == 250
    engine.send(parse_command("QUIT"))
    engine.close()


def smtplib_session(host: str, port: int) -> None:
    with smtplib.SMTP(host, port, local_hostname="bench.example") as client:
        client.ehlo()
        client.auth("PLAIN", lambda challenge=None: "\0learner@sandbox.test\0password123", initial_response_ok=True)
        client.sendmail("learner@sandbox.test", ["friend@sandbox.test"], MESSAGE)


def time_sessions(run, sessions: int) -> list[float]:
    times = []
    for _ in range(sessions):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return times


def report(name: str, times: list[float]) -> float:
    median = statistics.median(times)
    print(f"  {name:<34} median {median * 1000:8.1f} ms   min {min(times) * 1000:8.1f} ms   (n={len(times)})")
    return median


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--launches", type=int, default=7)
    parser.add_argument("--sessions", type=int, default=40)
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        # CPR (cursor position requests) need a real terminal to answer them; turn them off for
        # both programs alike so neither waits for an answer that never comes.
        env = dict(os.environ, SMTP_EXPLORER_DATA=tmp, PROMPT_TOOLKIT_NO_CPR="1")
        # Byte code cached as an installed package has it (pip compiles on install), for both
        # programs alike: without it every launch compiles the source again.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        script = Path(sys.executable).with_name("smtp-explorer")
        # The installed command, else the module from the source tree (then PYTHONPATH finds it).
        explorer = [str(script)] if script.exists() else [sys.executable, "-m", "explorer"]
        print("launch to first prompt (pseudo-terminal, alternating):")
        time_to_prompt(explorer, "not connected>", env, 1)  # first use makes the certificate (and byte code)
        time_to_prompt([sys.executable, "-c", BARE], "bare>", env, 1)
        bare_times, our_times = [], []
        for _ in range(args.launches):  # alternating, so both see the same machine
            bare_times += time_to_prompt([sys.executable, "-c", BARE], "bare>", env, 1)
            our_times += time_to_prompt(explorer, "not connected>", env, 1)
        bare = report("bare prompt_toolkit prompt", bare_times)
        ours = report("smtp-explorer (embedded sandbox)", our_times)
        ratio = ours / bare
        ok &= ratio <= 1.5
        print(f"  ratio {ratio:.2f}x (target <= 1.5x)")

        print("full session against the sandbox (EHLO, AUTH PLAIN, MAIL, RCPT, DATA 1 KiB, QUIT):")
        with Sandbox(data_dir=Path(tmp) / "bench-sandbox", session_log=False) as box:
            target = Target(box.host, box.port)
            engine_session(target)  # warm-up, both
            smtplib_session(box.host, box.port)
            engine_times, smtplib_times = [], []
            for _ in range(args.sessions):  # interleaved, so both see the same machine
                engine_times += time_sessions(lambda: engine_session(target), 1)
                smtplib_times += time_sessions(lambda: smtplib_session(box.host, box.port), 1)
            ref = report("smtplib", smtplib_times)
            mine = report("explorer engine", engine_times)
            ratio = mine / ref
            ok &= ratio <= 1.5
            print(f"  ratio {ratio:.2f}x (target <= 1.5x)")
            print(f"  messages stored: {len(box.messages())} (expected {2 * args.sessions + 2})")
    print("OK" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
