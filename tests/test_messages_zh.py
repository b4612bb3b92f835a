"""The instructor's commands (`accounts`, `report`) tell what they did, or why they cannot, in the
chosen language."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "SMTP_EXPLORER_LANG")}
    environ["SMTP_EXPLORER_DATA"] = str(cwd)
    return subprocess.run([sys.executable, "-m", "explorer", *args], capture_output=True, text=True,
                          encoding="utf-8", env=environ, cwd=cwd, timeout=60)


def test_accounts_and_report_speak_chinese(tmp_path: Path) -> None:
    done = _run("accounts", "generate", "--count", "3", "-o", "roster.csv", "--lang", "zh", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout == "已把 3 个账号写入 roster.csv（只有你本人可读；其中有每个学生的密码和授权码）\n"
    assert (tmp_path / "roster.csv").read_text(encoding="utf-8").count("\n") == 4
    done = _run("accounts", "generate", "-o", "other.csv", "--lang", "zh", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "smtp-explorer：错误：accounts generate 需要 --count N 或 --from CSV（二者取其一）\n"
    done = _run("report", "--data-dir", "empty", "--lang", "zh", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == (f"smtp-explorer：错误：{Path('empty') / 'sessions.jsonl'} 处没有会话记录，也没有名单"
                           "（课堂邮件服务器运行过吗？请用 --data-dir 或 --roster 指定）\n")


def test_the_english_messages_are_unchanged(tmp_path: Path) -> None:
    done = _run("accounts", "generate", "--count", "2", "-o", "roster.csv", "--lang", "en", cwd=tmp_path)
    assert done.stdout == ("wrote 2 accounts to roster.csv (readable by you only; it holds every "
                           "student's password and code)\n")
    done = _run("accounts", "generate", "-o", "other.csv", "--lang", "en", cwd=tmp_path)
    assert done.stderr == "smtp-explorer: error: accounts generate needs --count N or --from CSV (one of them)\n"


def test_other_commands_errors_speak_chinese(tmp_path: Path) -> None:
    cases = [(("lesson", "check"), "smtp-explorer：错误：lesson check 至少需要一个课程文件\n"),
             (("lesson", "first-session", "extra"), "smtp-explorer：错误：课程后面有多余的参数：extra\n"),
             (("inbox", "--data-dir", "absent"),
              "smtp-explorer：错误：absent 处没有沙箱服务器的数据目录（沙箱服务器运行过吗？请用 --data-dir 指定）\n")]
    for args, said in cases:
        done = _run(*args, "--lang", "zh", cwd=tmp_path)
        assert (done.returncode, done.stderr) == (2, said)
    done = _run("base64", "decode", "!!", "--lang", "zh", cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.startswith("smtp-explorer：错误：无效的 Base64：")
