"""The REPL's embedded sandbox, as the launcher starts it for one learner."""

from __future__ import annotations

import socket

from explorer.repl.launch import SandboxLink
from explorer.sandbox.server import DEFAULT_COMMAND_TIMEOUT


def test_a_line_left_open_waits_as_long_as_an_idle_session(tmp_path) -> None:
    # /raw NOOP sends a line with no end; the learner reads, thinks, then finishes it. The class
    # server's drip defence (a line must end within a minute) would cut them off with 421.
    listener = socket.create_server(("127.0.0.1", 0))
    link = SandboxLink(listener, tmp_path)
    try:
        box = link.get()
        assert box._ctx.command_timeout == box._ctx.idle_timeout > DEFAULT_COMMAND_TIMEOUT
    finally:
        link.stop()


def test_a_sandbox_that_cannot_start_says_so_in_the_learners_language(tmp_path) -> None:
    from explorer.client.engine import Target
    from repl_driver import run_repl

    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    listener = socket.create_server(("127.0.0.1", 0))
    target = Target("127.0.0.1", listener.getsockname()[1])
    link = SandboxLink(listener, not_a_folder)
    try:
        _, shown = run_repl(target, ["/lang zh", "/inbox", "/connect sandbox --tls", "/connect sandbox -x"],
                            sandbox=link.get)
    finally:
        link.stop()
    after = " ".join(shown.split("简体中文", 1)[1].split())
    assert f"内置的沙箱服务器无法启动：无法使用数据目录 {not_a_folder}：" in after
    assert "用法：/connect sandbox [--tls]" in after
    assert "could not start" not in after and "cannot use" not in after and "usage:" not in after


def test_without_an_embedded_sandbox_connect_sandbox_says_so_in_chinese() -> None:
    from explorer.client.engine import Target
    from repl_driver import run_repl

    _, shown = run_repl(Target("127.0.0.1", 9), ["/lang zh", "/connect sandbox", "/skip"])
    after = " ".join(shown.split("简体中文", 1)[1].split())
    assert "这个 REPL 没有内置的沙箱服务器（不带参数启动 smtp-explorer 即可）" in after
    assert "当前没有正在进行的课程" in after
