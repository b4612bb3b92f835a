"""`smtp-explorer sandbox --lang zh`: a teacher who reads Chinese reads every console line in Chinese."""

from __future__ import annotations

import signal
import smtplib
import subprocess

import pytest

from test_sandbox_cli import running


def test_console_lines_follow_the_language(tmp_path):
    data = tmp_path / "data"
    with running("sandbox", "--lang", "zh", "--port", "0", "--data-dir", str(data), "--account",
                 "alice:alicepw:alicecode", stdin=subprocess.PIPE) as (process, out):
        port = int(out.wait_for(r"^smtp-explorer 沙箱服务器正在监听 127\.0\.0\.1:(\d+)$")[1])
        out.wait_for(r"^    alice  密码 alicepw  授权码 alicecode$")
        with smtplib.SMTP("127.0.0.1", port, timeout=5) as smtp:
            with pytest.raises(smtplib.SMTPAuthenticationError):
                smtp.login("alice", "wrong")
        out.wait_for(r"^\d\d:\d\d:\d\d 会话 #1 127\.0\.0\.1:\d+：已 QUIT，0 封邮件，alice 认证失败，"
                     r"\d+\.\d\d 秒$")
        with smtplib.SMTP("127.0.0.1", port, timeout=5) as smtp:
            smtp.login("alice", "alicecode")
            smtp.sendmail("alice@sandbox.test", ["friend@sandbox.test"], b"body\r\n")
        out.wait_for(r"^\d\d:\d\d:\d\d 会话 #2 保存了一封邮件（6 字节），发件人 <alice@sandbox\.test>，"
                     r"收件人 <friend@sandbox\.test>：（无主题） -> mail/friend@sandbox\.test/new/\S+$")
        out.wait_for(r"会话 #2 127\.0\.0\.1:\d+：已 QUIT，1 封邮件，用户 alice，\d+\.\d\d 秒$")
        for line in ("scenario greylist slow=0.5", "status", "scenario meteor", "scenario none",
                     "scenarios", "what"):
            process.stdin.write(line + "\n")
        process.stdin.flush()
        out.wait_for(r"^\d\d:\d\d:\d\d 当前场景：greylist，slow=0\.5$")
        out.wait_for(r"^共 2 个会话（0 个仍在连接），接收了 1 封邮件；场景：greylist，slow=0\.5$")
        out.wait_for(r"^错误：未知的场景 'meteor'（可用的场景：require-auth, ")
        out.wait_for(r"^\d\d:\d\d:\d\d 当前场景：无$")
        out.wait_for(r"^场景：无$")
        out.wait_for(r"^可以输入的命令：scenario 场景名")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0
        out.wait_for(r"^smtp-explorer 沙箱服务器已正常停止：2 个会话，接收了 1 封邮件$")
    assert not [line for line in out.seen if "Traceback" in line or "session" in line]
