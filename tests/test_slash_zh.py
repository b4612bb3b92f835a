"""The REPL's slash commands answer in Chinese after /lang zh: their errors and confirmations,
against the real sandbox."""

from __future__ import annotations

from repl_driver import run_repl, sandbox_target


def test_slash_commands_answer_in_chinese(sandbox) -> None:
    _, shown = run_repl(sandbox_target(sandbox), [
        "/lang zh", "/hepl", "/help nothing-like-it", "/b64 nope", "/b64 decode !!", "/strict", "/strict",
        "/inbox 7", "/scenario", "/scenario slow=-1", "/scenario greylist", "/scenario off", "/wait x", "/compose", "/raw"],
        sandbox=lambda: sandbox)
    for said in ("未知的命令 /hepl；你是不是想输入 /help？（/help 列出所有命令）",
                 "没有关于 'nothing-like-it' 的帮助",
                 "用法：/b64 encode|decode 文本",
                 "无效的 Base64：",
                 "严格模式已打开：顺序不对或格式错误的命令不会发送",
                 "严格模式已关闭：有错误的命令照样发送，并给出警告",
                 "没有邮件 '7'：共有 0 封（/inbox 列出它们）",
                 "   greylist          灰名单：每对发件人/收件人第一次尝试时回复 451 4.7.1；重试则被接受",
                 "slow：'-1' 必须在 0 到 ",
                 "沙箱服务器的场景：greylist",
                 "沙箱服务器的场景：无",
                 "用法：/wait [秒数]，秒数大于 0，最多",
                 "/compose 只能在 DATA 阶段使用（收到 354 之后）；现在的阶段：",
                 "用法：/raw 文本，可以用 \\r\\n 这样的转义（不会自动添加任何字符）"):
        assert said in shown, said
    assert "usage" not in shown.split("界面语言：简体中文", 1)[1]


def test_the_english_answers_are_unchanged(sandbox) -> None:
    _, shown = run_repl(sandbox_target(sandbox), ["/lang en", "/hepl", "/strict", "/scenario off"],
                        sandbox=lambda: sandbox)
    assert "unknown command /hepl; did you mean /help? (/help lists them)" in shown
    assert "strict mode on: out-of-order or malformed commands are refused" in shown
    assert "sandbox scenarios: none" in shown


def test_base64_profile_and_explain_reasons_in_chinese(sandbox) -> None:
    _, shown = run_repl(sandbox_target(sandbox), [
        "/lang zh", "/b64 decode VX!a", "/b64 decode VXa", "/profile nope", "/explain 999", "/explain 5.7.8.1"],
        sandbox=lambda: sandbox)
    after = " ".join(shown.split("界面语言：简体中文", 1)[1].split())
    for said in ("无效的 Base64：'!' 不在 Base64 的字母表中（A-Z a-z 0-9 + /，以及用于填充的 =）",
                 "无效的 Base64：长度 3 不是 4 的倍数：缺少填充用的 '='，或者丢失了字符",
                 "未知的服务器配置 'nope'（可用的有：teaching, 163, qq, gmail, outlook, postfix, exim）",
                 "'999' 不是一行回复："):
        assert said in after, said
    assert "alphabet" not in after and "unknown profile" not in after and "is not a reply line" not in after
