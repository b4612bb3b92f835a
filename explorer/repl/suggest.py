"""Ghost-text suggestions, Tab completion and the bottom toolbar of the REPL."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterable

from prompt_toolkit.auto_suggest import AutoSuggest, Suggestion
from prompt_toolkit.completion import Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.formatted_text import FormattedText

from explorer.core.commands import VERBS
from explorer.knowledge.guide import stage
from explorer.knowledge.tables import text as table_text
from explorer.repl.view import typed_text

if TYPE_CHECKING:
    from explorer.repl.app import Repl

__all__ = ["StepSuggest", "SmtpCompleter", "toolbar"]


class StepSuggest(AutoSuggest):
    """Suggests the expected next step as ghost text; the right arrow accepts it."""

    def __init__(self, suggestion: Callable[[], str | None]):
        self._suggestion = suggestion

    def get_suggestion(self, buffer, document: Document) -> Suggestion | None:
        wanted = self._suggestion()
        typed = document.text
        if wanted and len(typed) < len(wanted) and wanted.lower().startswith(typed.lower()):
            return Suggestion(wanted[len(typed):])
        return None


def _matches(word: str, options: Iterable[str], *, display_meta: Callable[[str], str] | None = None):
    lowered = word.lower()
    for option in options:
        if option.lower().startswith(lowered):
            yield Completion(option, start_position=-len(word),
                             display_meta=display_meta(option) if display_meta else None)


class SmtpCompleter(Completer):
    """Completes SMTP verbs and their arguments, and the REPL's /commands."""

    def __init__(self, repl: Repl):
        self.repl = repl

    def get_completions(self, document: Document, complete_event) -> Iterable[Completion]:
        text = document.text_before_cursor
        repl = self.repl
        if text.startswith("/"):
            yield from self._slash(text)
            return
        if " " not in text:
            sensible = repl.engine.session.sensible_verbs()
            ordered = list(sensible) + [v for v in VERBS if v not in sensible]
            late = table_text("slash", "out-of-order", repl.lang)
            yield from _matches(text, ordered, display_meta=lambda v: "" if v in sensible else late)
            return
        verb, _, rest = text.partition(" ")
        verb = verb.upper()
        v = repl.addresses.values()  # "" for an address nobody gave: then nothing is offered
        options: list[str] = []
        if verb == "MAIL":
            options = [f"FROM:<{v['sender']}>"] if v["sender"] else ["FROM:<"]
        elif verb == "RCPT":
            options = [f"TO:<{v['recipient']}>"] if v["recipient"] else ["TO:<"]
        elif verb in ("EHLO", "HELO"):
            options = [v["domain"]]
        elif verb == "AUTH":
            options = list(repl.engine.session.context.capabilities.auth_mechanisms) or ["LOGIN", "PLAIN", "CRAM-MD5"]
        elif verb in ("VRFY", "EXPN"):
            options = [v["recipient"]] if v["recipient"] else []
        yield from _matches(rest, options)

    def _slash(self, text: str) -> Iterable[Completion]:
        from explorer.repl.slash import COMMANDS, argument_options

        name, space, rest = text[1:].partition(" ")
        if not space:
            yield from (Completion("/" + c.name, start_position=-len(text), display_meta=c.texts(self.repl.lang)["summary"])
                        for c in COMMANDS.values() if c.name.startswith(name.lower()))
            return
        *before, word = rest.split(" ")
        yield from _matches(word, argument_options(self.repl, name.lower(), [w for w in before if w]))


def toolbar(repl: Repl, columns: int | None = None) -> FormattedText:
    """Server, stage, TLS, AUTH and the next expected step, on one line of ``columns`` (the
    terminal's width): what does not fit is cut from the end, by display width."""
    from explorer.knowledge.tables import load, pick
    from explorer.width import width

    texts = pick(load("ui")["toolbar"], repl.lang)
    session = repl.engine.session
    ctx = session.context
    step = typed_text(repl.next_step())  # it can hold what a server sent: never raw
    on_sandbox = repl.on_sandbox(repl.engine.target)
    parts = [repl.target_label, stage(session.state.value, repl.lang).title, texts["tls_on" if ctx.tls else "tls_off"],
             texts["auth_yes" if ctx.authenticated else "auth_no"]]
    if repl.engine.session.strict:
        parts.append(texts["strict"])
    if repl.tutor is not None:
        parts.append(repl.tutor.status())
    parts.append(texts["next"].format(step=step))
    line = " " + " | ".join(parts) + " "
    if columns is None:
        columns = _columns()
    if width(line) > columns and on_sandbox:
        # The embedded sandbox's address is the least useful part: it goes before the next step.
        parts[0] = texts["sandbox"].format(where="").strip()
        line = " " + " | ".join(parts) + " "
    if width(line) > columns:
        while line and width(line) > columns - 1:
            line = line[:-1]
        line += "…"
    return FormattedText([("", line)])


def _columns() -> int:
    try:
        from prompt_toolkit.application.current import get_app

        return get_app().output.get_size().columns
    except Exception:  # no application running (a test, a pipe): no limit to keep to
        return 1000
