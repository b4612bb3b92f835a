"""The REPL's own commands (``/help``, ``/explain``, ...): one registry, help generated from it.

Each command is a function ``(repl, argument text) -> None``; its usage and help text come from
``knowledge/repl_commands.toml``, so ``/help`` and Tab completion read the same registry.
"""

from __future__ import annotations

import difflib
import shlex
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Sequence

from explorer.core.commands import VERBS, RawBytes
from explorer.core.render import EscapeError, parse_escapes, visible, visible_text
from explorer.core.states import State
from explorer.reports.explaining import describe_base64, explain_item, wrap, wrap_after
from explorer.knowledge.guide import stage
from explorer.knowledge.keyed import error_text
from explorer.knowledge.tables import DEFAULT_LANG, load, pick
from explorer.width import pad, width
from explorer.knowledge.tables import text as table_text
from explorer.repl import view

if TYPE_CHECKING:
    from explorer.repl.app import Repl

__all__ = ["SlashCommand", "COMMANDS", "run_slash", "argument_options"]


@dataclass(frozen=True)
class SlashCommand:
    name: str
    run: Callable[[Repl, str], None]

    def texts(self, lang: str = DEFAULT_LANG) -> dict[str, str]:
        """``usage``, ``summary`` and ``detail`` in ``lang``."""
        return pick(load("repl_commands")[self.name], lang)

    @property
    def usage(self) -> str:
        return self.texts()["usage"]


def _help(repl: Repl, arg: str) -> None:
    topic = arg.strip().lstrip("/")
    if not topic:
        repl.say([("title", repl.text("help-title"))])
        for command in COMMANDS.values():
            texts = command.texts(repl.lang)
            usage = f"  {pad(texts['usage'], 34)} "
            if width(usage) > 37:  # a long usage gets its own line, the summary the next
                repl.say([("", wrap(texts["usage"], "  ", "      "))])
                usage = " " * 37
            repl.say([("", usage), ("dim", wrap_after(usage, texts["summary"], " " * 37))])
        repl.say([("dim", wrap(repl.text("help-footer"), ""))])
        return
    if topic.lower() in COMMANDS:
        texts = COMMANDS[topic.lower()].texts(repl.lang)
        repl.say([("title", texts["usage"])])
        repl.say(wrap(texts["detail"], "  "))
        return
    verbs = load("verbs")
    if topic.upper() in verbs:
        texts = pick(verbs[topic.upper()], repl.lang)
        repl.say([("title", texts["syntax"])])
        repl.say(wrap(texts["text"], "  "))
        return
    repl.error(_say(repl, "no-help", topic=repr(topic), suggestion=_did_you_mean(repl, topic)))


def _say(repl: Repl, key: str, **values: object) -> str:
    """A slash command's own text (knowledge/slash.toml) in the learner's language."""
    return table_text("slash", key, repl.lang, **values)


def _did_you_mean(repl: Repl, word: str) -> str:
    candidates = list(COMMANDS) + list(VERBS)
    close = difflib.get_close_matches(word.lower(), [c.lower() for c in candidates], n=1, cutoff=0.6)
    if not close:
        return ""
    name = close[0]
    return _say(repl, "did-you-mean", name=f"/{name}" if name in COMMANDS else name.upper())


def _explain(repl: Repl, arg: str) -> None:
    text = arg.strip()
    if not text:
        if repl.last_reply is None:
            repl.error(_say(repl, "explain-no-reply"))
            return
        text = repl.last_reply.raw.decode("utf-8", "backslashreplace").splitlines()[0]
    try:
        repl.say_lines(explain_item(text, repl.lang))
    except ValueError as exc:  # explain_item's reasons are said in repl.lang already
        repl.error(error_text(exc, repl.lang))


def _b64(repl: Repl, arg: str) -> None:
    direction, _, text = arg.strip().partition(" ")
    if direction not in ("encode", "decode") or not text:
        repl.error(_say(repl, "b64-usage"))
        return
    try:
        repl.say_lines(describe_base64(direction, text, repl.lang))
    except ValueError as exc:
        repl.error(_say(repl, "invalid-base64", error=error_text(exc, repl.lang)))


def _toggle(attribute: str, label: str) -> Callable[[Repl, str], None]:
    def run(repl: Repl, arg: str) -> None:
        value = not getattr(repl, attribute)
        setattr(repl, attribute, value)
        repl.say([("dim", repl.text(label, state=repl.text("on" if value else "off")))])
    return run


def _strict(repl: Repl, arg: str) -> None:
    session = repl.engine.session
    session.strict = not session.strict
    repl.say([("dim", _say(repl, "strict-on" if session.strict else "strict-off"))])


def _state(repl: Repl, arg: str) -> None:
    session = repl.engine.session
    ctx = session.context
    repl.say_lines(repl.stage_text(session.state))
    verbs = session.sensible_verbs()
    repl.say([("", repl.text("state-sensible")), ("title", " ".join(verbs) if verbs else repl.text("state-no-command"))])
    repl.say([("", repl.text("state-expected")), ("title", view.typed_text(repl.next_step()))])
    repl.say([("", repl.text("state-facts", server=repl.target_label, tls=repl.text("on" if ctx.tls else "off"),
                             auth=repl.text("state-auth-done" if ctx.authenticated else "state-auth-not-yet"),
                             greeted="EHLO" if ctx.esmtp else "HELO" if ctx.introduced else "-"))])
    if ctx.capabilities.extensions:
        from explorer.knowledge.extensions import explain_extension

        repl.say([("", repl.text("state-extensions"))])
        for ext in ctx.capabilities.extensions:
            meaning = explain_extension(ext.keyword, repl.lang).meaning.split(". ")[0].rstrip(".")
            repl.say([("title", f"    {pad(visible_text(ext.line), 28)}"), ("dim", meaning)])
    if ctx.recipients:
        repl.say([("", repl.text("state-recipients", count=ctx.recipients))])


def _history(repl: Repl, arg: str) -> None:
    lines = repl.transcript()
    repl.say_lines(lines or [_say(repl, "history-empty")])


def _inbox(repl: Repl, arg: str) -> None:
    box = repl.sandbox()
    if box is None:
        repl.error(_say(repl, "inbox-no-sandbox"))
        return
    from explorer.sandbox.inbox import format_list, format_message

    messages = box.messages()
    if not arg.strip():
        repl.say_lines(format_list(messages, str(box.data_dir), repl.lang).splitlines())
        return
    number = int(arg) if arg.strip().isdigit() else 0
    if not 1 <= number <= len(messages):
        repl.error(_say(repl, "inbox-no-message", number=repr(arg.strip()), count=len(messages)))
        return
    repl.say_lines(format_message(messages[number - 1], number, len(messages), repl.lang).splitlines())


def _scenario(repl: Repl, arg: str) -> None:
    box = repl.sandbox()
    if box is None:
        repl.error(_say(repl, "scenarios-no-sandbox"))
        return
    from explorer.sandbox import SCENARIOS, validate_scenario
    from explorer.sandbox.texts import SCENARIO_DESCRIPTIONS

    names = arg.split()
    if not names:
        active = box.scenarios
        for name, description in SCENARIO_DESCRIPTIONS.get(repl.lang, SCENARIOS).items():
            mark = "*" if any(a.split("=")[0] == name for a in active) else " "
            repl.say([("title" if mark == "*" else "", f" {mark} {name:<18}"), ("dim", description)])
        return
    if names == ["off"]:
        names = []
    try:
        canonical = [validate_scenario(n) for n in names]
    except ValueError as exc:
        repl.error(error_text(exc, repl.lang))
        return
    box.set_scenarios(canonical)
    repl.say([("dim", _say(repl, "scenarios-now")), ("title", ", ".join(canonical) or _say(repl, "none"))])


def _profile(repl: Repl, arg: str) -> None:
    box = repl.sandbox()
    if box is None:
        repl.error(_say(repl, "profiles-no-sandbox"))
        return
    from explorer.sandbox.profile import profile_summaries

    name = arg.strip().lower()
    if not name:
        for key, summary in profile_summaries(repl.lang).items():
            mark = "*" if key == box.profile else " "
            repl.say([("title" if mark == "*" else "", f" {mark} {key:<9}"), ("dim", summary)])
        return
    try:
        box.set_profile(name)
    except ValueError as exc:
        repl.error(error_text(exc, repl.lang))
        return
    repl.say([("dim", _say(repl, "profile-now")), ("title", box.profile),
              ("dim", _say(repl, "profile-from-next"))])


def _connect(repl: Repl, arg: str) -> None:
    try:
        words = shlex.split(arg)
    except ValueError as exc:
        repl.error(_say(repl, "cannot-read", error=exc))
        return
    repl.connect(words)


def _reset(repl: Repl, arg: str) -> None:
    if repl.engine.connected and repl.engine.state is not State.CLOSED:
        repl.submit("RSET")
    else:
        repl.connect([])


def _raw(repl: Repl, arg: str) -> None:
    if not arg:
        repl.error(_say(repl, "raw-usage"))
        return
    try:
        data = parse_escapes(arg)
    except EscapeError as exc:
        repl.error(error_text(exc, repl.lang))
        return
    repl.send(RawBytes(data))


def _wait(repl: Repl, arg: str) -> None:
    from explorer.repl.targets import MAX_SECONDS, valid_seconds

    try:
        seconds = float(arg) if arg.strip() else repl.engine.target.timeout
    except ValueError:
        seconds = None
    if not valid_seconds(seconds):
        repl.error(_say(repl, "wait-usage", most=MAX_SECONDS))
        return
    repl.show_outcome(repl.engine.wait(seconds), empty=_say(repl, "wait-nothing", seconds=f"{seconds:g}"))


def _compose(repl: Repl, arg: str) -> None:
    if repl.engine.state is not State.DATA:
        repl.error(_say(repl, "compose-data-only", stage=stage(repl.engine.state.value, repl.lang).title))
        return
    repl.compose(arg.strip() or None)


def _attach(repl: Repl, arg: str) -> None:
    from explorer.client.compose import Attachment, ComposeError

    texts = pick(load("compose")["labels"], repl.lang)
    path = arg.strip()
    if not path:
        repl.error(texts["attach_usage"])
        return
    try:
        attachment = Attachment.from_path(path, lang=repl.lang)
    except ComposeError as exc:
        repl.error(str(exc))
        return
    repl.message.attachments.append(attachment)
    repl.say([("dim", texts["attached"].format(name=visible(attachment.filename.encode()),
                                               octets=len(attachment.data),
                                               type=attachment.content_type))])


#: The /set name that is a switch of the REPL's rather than a variable of the suggestions.
REVEAL = "reveal-secrets"


def _set(repl: Repl, arg: str) -> None:
    from explorer.repl.addresses import NAMES

    name, _, value = arg.strip().partition(" ")
    if not name:
        for key, val in repl.addresses.values().items():
            repl.say([("", f"  {key:<10} "), ("title", visible_text(val) or "-")])
        repl.say([("", f"  {REVEAL} "), ("title", repl.text("on" if repl.reveal_secrets else "off"))])
        return
    if name == REVEAL:
        _reveal(repl, value.strip())
        return
    if name not in NAMES or not value.strip():
        repl.error(_say(repl, "set-usage", names=", ".join((*NAMES, REVEAL))))
        return
    repl.addresses.set(name, value.strip())
    repl.say([("dim", f"{name} = "), ("title", visible(value.strip().encode()))])


def _reveal(repl: Repl, value: str) -> None:
    """``/set reveal-secrets on|off`` (or the words for on and off in the learner's language)."""
    choices = {word: state for state in ("on", "off") for word in (state, repl.text(state))}
    state = choices.get(value.lower())
    if state is None:
        repl.error(_say(repl, "reveal-usage", state=repl.text("on" if repl.reveal_secrets else "off")))
        return
    repl.reveal_secrets = state == "on"
    repl.say([("dim", wrap(_say(repl, f"reveal-{state}"), ""))])


def _save(repl: Repl, arg: str) -> None:
    from explorer.reports.options import save_from_repl

    ok, message = save_from_repl(repl.engine, arg, lang=repl.lang)
    if ok:
        repl.say([("dim", message)])
    else:
        repl.error(message)


def _lesson_step(action: str) -> Callable[[Repl, str], None]:
    def run(repl: Repl, arg: str) -> None:
        if repl.tutor is None:
            repl.error(_say(repl, "no-lesson-running"))
            return
        repl.say_lines(getattr(repl.tutor, action)())
    return run


def _lang(repl: Repl, arg: str) -> None:
    from explorer.language import LANGUAGES, normalise

    asked = arg.strip()
    lang = normalise(asked) if asked else None
    if lang is None:
        repl.error(table_text("ui", "lang-usage", repl.lang, choices="|".join(LANGUAGES), current=repl.lang))
        return
    repl.lang = lang
    repl.say([("dim", table_text("ui", "lang-now", lang))])
    if repl.tutor is not None:
        repl.tutor.set_lang(lang)  # the lesson's own texts too, from the next line it shows


def _quit(repl: Repl, arg: str) -> None:
    repl.leave()


COMMANDS: dict[str, SlashCommand] = {c.name: c for c in (
    SlashCommand("help", _help),
    SlashCommand("explain", _explain),
    SlashCommand("b64", _b64),
    SlashCommand("bytes", _toggle("show_bytes", "byte-preview")),
    SlashCommand("hex", _toggle("show_hex", "hex-dumps")),
    SlashCommand("state", _state),
    SlashCommand("history", _history),
    SlashCommand("save", _save),
    SlashCommand("inbox", _inbox),
    SlashCommand("scenario", _scenario),
    SlashCommand("profile", _profile),
    SlashCommand("connect", _connect),
    SlashCommand("reset", _reset),
    SlashCommand("raw", _raw),
    SlashCommand("strict", _strict),
    SlashCommand("wait", _wait),
    SlashCommand("compose", _compose),
    SlashCommand("attach", _attach),
    SlashCommand("set", _set),
    SlashCommand("lesson", _lesson_step("where")),
    SlashCommand("skip", _lesson_step("skip")),
    SlashCommand("back", _lesson_step("back")),
    SlashCommand("lang", _lang),
    SlashCommand("quit", _quit),
)}


def run_slash(repl: Repl, text: str) -> None:
    """Run ``/name args``; an unknown name gets a did-you-mean."""
    name, _, arg = text[1:].partition(" ")
    command = COMMANDS.get(name.lower())
    if command is None:
        repl.error(_say(repl, "unknown-command", name=name, suggestion=_did_you_mean(repl, name)))
        return
    command.run(repl, arg)


def argument_options(repl: Repl, name: str, before: Sequence[str] = ()) -> list[str]:
    """What Tab offers after ``/name`` and the words ``before`` the one being typed."""
    if name == "help":
        return list(COMMANDS) + list(VERBS)
    if name == "scenario":
        from explorer.sandbox import SCENARIOS
        return list(SCENARIOS) + ["off"]
    if name == "profile":
        from explorer.sandbox.profile import PROFILE_NAMES
        return list(PROFILE_NAMES)
    if name == "b64":
        return ["encode", "decode"]
    if name == "connect":
        return ["sandbox", "--starttls", "--tls", "--insecure", "--timeout"]
    if name == "set":
        from explorer.repl.addresses import NAMES
        if before:  # the value: only reveal-secrets has values to offer
            return ["on", "off"] if list(before) == [REVEAL] else []
        return [*NAMES, REVEAL]
    if name == "save":
        return ["--reveal-secrets"]
    if name == "lang":
        from explorer.language import LANGUAGES
        return list(LANGUAGES)
    return []
