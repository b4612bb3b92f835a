"""`--lang zh`: why the sandbox cannot listen (a real port taken on 127.0.0.1) is said in Chinese;
the English is tested, unchanged, in test_sandbox_*."""

from __future__ import annotations

import socket
import subprocess
import sys


def explorer(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "explorer", *args], capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL)


def test_a_port_in_use_in_chinese(tmp_path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        done = explorer("sandbox", "--lang", "zh", "--host", "127.0.0.1", "--port", str(port),
                        "--data-dir", str(tmp_path / "data"))
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert (f"无法在 127.0.0.1:{port} 上监听：这个地址已被占用（另一个沙箱服务器？请换一个 --port，或用 --port 0）"
            in done.stderr)

