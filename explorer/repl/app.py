"""The REPL loop: one prompt per step, the exact bytes, the reply, the explanation, the new state."""

from __future__ import annotations

from dataclasses import replace
from string import Formatter
from typing import Callable

from prompt_toolkit import PromptSession
from prompt_toolkit.auto_suggest import Suggestion
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.history import History

from explorer.core.commands import AuthLine, Command, CommandError, RawBytes, parse_command
from explorer.core.render import hexdump, visible, visible_text
from explorer.core.replies import Reply
from explorer.core.session import Answer, DataLine, EndOfData, StrictModeError
from explorer.core.states import State
from explorer.client.engine import Engine, Outcome, Target
from explorer.reports.explaining import WIDTH, wrap
from explorer.knowledge.guide import note, stage
from explorer.knowledge.keyed import KeyedError, error_text
from explorer.knowledge.tables import text as table_text
from explorer.repl import view
from explorer.repl.addresses import AddressBook
from explorer.repl.auth_guide import AuthGuide
from explorer.repl.family import ServerFamily, connect_hint_lines
from explorer.repl.console import Console, Line
from explorer.repl.history import SafeMemoryHistory, SecretFilter
from explorer.repl.keys import key_bindings
from explorer.repl.masking import HiddenSecrets
from explorer.repl.message import MessageDesk
from explorer.repl.suggest import SmtpCompleter, StepSuggest, toolbar
from explorer.repl.targets import TargetError, parse_target
from explorer.width import width

__all__ = ["Repl", "SandboxUnavailable"]


class SandboxUnavailable(KeyedError):
    """Raised by the ``sandbox`` callable when the embedded sandbox could not start (one line,
    said in the learner's language when shown)."""

    table = "slash"

    def __init__(self, cause: BaseException) -> None:
        self.cause = cause
        super().__init__("sandbox-failed")

    def text(self, lang: str = "en") -> str:
        # The cause (often a sandbox error with its own key) in the same language as the sentence.
        reason = error_text(self.cause, lang) or type(self.cause).__name__
        return table_text(self.table, self.key, lang, reason=reason)

# The message the DATA-mode suggestions walk through, one line at a time; From and To are the
# envelope's addresses.
DATA_TEMPLATE = ("From: {header_from}", "To: {header_to}", "Subject: Hello from smtp-explorer", "",
                 "Hello! This message was typed line by line.", ".")


class Repl:
    """One learner's REPL. ``sandbox`` is a callable returning the embedded sandbox (or None)."""

    def __init__(self, target: Target, *, sandbox: Callable[[], object | None] | None = None,
                 console: Console | None = None, input=None, output=None,
                 history: History | None = None, strict: bool = False, lang: str = "en",
                 variables: dict[str, str] | None = None, intro: list[str] | None = None, tutor=None,
                 on_ready: Callable[[], None] | None = None, reveal_secrets: bool = False):
        self.engine = Engine(target, strict=strict)
        self.tutor = tutor  # a lesson being followed (explorer.lessons.tutor.Tutor), or None
        self._sandbox = sandbox or (lambda: None)
        self.sandbox_target = target if sandbox else None
        self._sandbox_tls_target: Target | None = None  # its implicit-TLS port, once used
        self.console = console or Console(output=output)
        self.lang = lang
        self.addresses = AddressBook(variables)
        self.show_bytes = True
        self.show_hex = False
        # Show the Base64 of a password typed masked (--reveal-secrets, /set reveal-secrets on);
        # /history and /save leave it out whatever this says.
        self.reveal_secrets = reveal_secrets
        self.hidden = HiddenSecrets()  # what was hidden, hidden in an echo from the server too
        self.finished = False
        self.last_reply: Reply | None = None
        self.auth: AuthGuide | None = None
        self._auth_mechanism = ""
        self._initial_user: str | None = None  # the user name inside AUTH's initial response
        self._data_index = 0
        self.message = MessageDesk()
        self.server_family = ServerFamily()  # recognised from the banner and EHLO
        self._shown_stage: State | None = None
        self._shown_step: tuple[State, str | None] | None = None
        self._intro = intro or []
        self._on_ready = on_ready  # called once, when the first prompt has been drawn
        self.prompt = PromptSession(
            history=history or SafeMemoryHistory(), auto_suggest=StepSuggest(self.suggestion),
            completer=SmtpCompleter(self), complete_while_typing=False,
            bottom_toolbar=lambda: toolbar(self), input=input, output=output, key_bindings=key_bindings(self),
        )

    # -- output ---------------------------------------------------------------------------------

    def say(self, line: Line | str) -> None:
        self.console.line(line)

    def say_lines(self, lines: list[Line] | list[str]) -> None:
        self.console.lines(lines)

    def error(self, message: str) -> None:
        self.console.line([("error", self.text("error")), ("", message)])

    def text(self, key: str, **values: object) -> str:
        """One of the REPL's own texts (knowledge/repl.toml) in the learner's language."""
        return table_text("repl", key, self.lang, **values)

    def stage_text(self, state: State) -> list[Line]:
        return view.stage_lines(state, self.lang)

    @property
    def target_label(self) -> str:
        label = self.engine.target.label
        if self.on_sandbox(self.engine.target):
            return table_text("ui", "toolbar", self.lang, "sandbox", where=label)
        return label

    def on_sandbox(self, target: Target) -> bool:
        """Whether ``target`` is the embedded sandbox: its plain port or its implicit-TLS one."""
        return self.sandbox_target is not None and target in (
            self.sandbox_target, self._sandbox_tls_target)

    def sandbox(self):
        """The embedded sandbox when it is the current target (None, with an error shown, if it failed)."""
        if not self.on_sandbox(self.engine.target):
            return None
        try:
            return self._sandbox()
        except SandboxUnavailable as exc:
            self.error(error_text(exc, self.lang))
            return None

    # -- what comes next ------------------------------------------------------------------------

    def suggestion(self) -> str | None:
        """The expected next input, filled in (the ghost text); None when there is nothing to fill
        in: the server is the one to speak, or the learner must type something only they know."""
        state = self.engine.state
        tutor = self.tutor
        if tutor is not None and tutor.asking:
            return None
        if self.engine.session.unfinished_line and state is not State.DATA:
            return "/raw \\r\\n"  # /raw sent a line without its end: finish that line first
        if state is State.DATA:
            lesson_line = tutor.data_suggestion() if tutor is not None else None
            if lesson_line is not None:
                return lesson_line
            return self._fill(DATA_TEMPLATE[min(self._data_index, len(DATA_TEMPLATE) - 1)])
        if tutor is not None and tutor.suggestion() is not None and state is not State.AUTH_EXCHANGE:
            return tutor.suggestion()
        if state is State.AUTH_EXCHANGE:
            if self.auth is None or self.auth.field != "username":
                return None
            if self.auth.decoded_paste is not None:  # it looked like Base64: offer what it said
                return self.auth.decoded_paste
            lesson_user = tutor.suggestion() if tutor is not None else None
            return lesson_user or self.addresses.get("username")
        step = self.engine.session.expected_step()
        if step is None or "{auth_response}" in step or "{message}" in step:
            return None
        return self._fill(step)

    def next_step(self) -> str:
        """What the learner should do next, in words when there is nothing to fill in."""
        step = self.suggestion()
        if step is not None:
            return step
        state, tutor = self.engine.state, self.tutor
        if tutor is not None and tutor.asking:
            return note("hint-answer", self.lang)
        if state is State.AUTH_EXCHANGE and self.auth is not None:
            return note({"username": "hint-username", "password": "hint-password"}.get(self.auth.field, "hint-response"),
                        self.lang)
        if state is State.DATA:
            return note("hint-data", self.lang)
        template = self.engine.session.expected_step()
        if template is None or self.engine.session.awaiting_reply:
            return table_text("ui", "toolbar", self.lang, "wait")
        missing = [name for _, name, _, _ in Formatter().parse(template) if name and not self._values().get(name)]
        shown = template.format(**{**self._values(), **{name: "..." for name in missing}})
        return note("hint-missing", self.lang, step=shown, name=missing[0]) if missing else shown

    def _values(self) -> dict[str, str]:
        values = self.addresses.values()
        values["header_from"] = ", ".join(f"<{a}>" for a in self.addresses.header("sender"))
        values["header_to"] = ", ".join(f"<{a}>" for a in self.addresses.header("recipient"))
        return values

    def _fill(self, template: str) -> str | None:
        """``template`` with its ``{names}`` filled in; None if one of them is not known."""
        values = self._values()
        names = [name for _, name, _, _ in Formatter().parse(template) if name]
        if not all(values.get(name) for name in names):
            return None
        return template.format(**values)

    def _prompt_message(self) -> FormattedText:
        state, ctx = self.engine.state, self.engine.session.context
        if self.tutor is not None and self.tutor.asking:
            return FormattedText([("class:prompt", self.text("prompt-answer"))])
        if state is State.DATA:
            return FormattedText([("class:prompt", "data> ")])
        if state is State.AUTH_EXCHANGE and self.auth is not None:
            return FormattedText([("class:prompt", self.text("prompt-auth", name=self.auth.label()))])
        lock = [("class:tls", "tls ")] if ctx.tls else []
        return FormattedText(lock + [("class:prompt", f"{stage(state.value, self.lang).title}> ")])

    def _before_prompt(self) -> None:
        if self.tutor is not None:
            self.say_lines(self.tutor.enter(self.engine))
        state = self.engine.state
        if state is not self._shown_stage and state is not State.DATA_END:
            self._shown_stage = state
            self.say_lines(self.stage_text(state))
        step = self.suggestion()
        hint = step or self.next_step()
        if (state, hint) != self._shown_step:
            self._shown_step = (state, hint)
            # Whatever the server or a lesson put into the step is shown escaped, never raw.
            if step and not step.startswith("/") and state is not State.AUTH_EXCHANGE:
                wire = (DataLine(step) if state is State.DATA and step != "." else
                        EndOfData() if step == "." else _command_or_none(step))
                data = wire.to_bytes() if wire is not None else b""
                line: Line = [("dim", self.text("next")), ("title", view.typed_text(step))]
                arrow = ("dim", f"   -> {visible(data)}" if self.show_bytes else "")
                if width("".join(text for _, text in [*line, arrow])) <= WIDTH:
                    self.say([*line, arrow])
                else:  # the bytes on a line of their own rather than wrapped mid-token
                    self.say(line)
                    self.say([arrow])
                if self.show_hex and data:
                    self.say_lines([[("dim", "   " + row)] for row in hexdump(data).splitlines()])
            elif step or state not in (State.AUTH_EXCHANGE, State.AWAITING_GREETING, State.DATA_END):
                self.say([("dim", self.text("next")), ("title", view.typed_text(hint))])

    def _offer_suggestion(self) -> None:
        if self._on_ready is not None:
            # Once the first prompt is on the screen, not before: the work behind it (starting
            # the embedded sandbox) would otherwise compete with drawing the prompt.
            self._on_ready, ready = None, self._on_ready
            app = self.prompt.app

            def once(_app: object) -> None:
                app.after_render.remove_handler(once)
                ready()

            app.after_render.add_handler(once)
        # prompt_toolkit computes suggestions when the text changes; offer one on the empty line too.
        step = self.suggestion()
        if step and not (self.auth is not None and self.auth.masked):
            self.prompt.default_buffer.suggestion = Suggestion(step)

    # -- the loop -------------------------------------------------------------------------------

    def run(self) -> int:
        self.say_lines(self._intro)
        while not self.finished:
            self._before_prompt()
            try:
                masked = self.engine.state is State.AUTH_EXCHANGE and self.auth is not None and self.auth.masked
                if isinstance(self.prompt.history, SecretFilter):  # an AUTH answer stays out of it
                    self.prompt.history.secret_input = self.engine.state is State.AUTH_EXCHANGE
                text = self.prompt.prompt(self._prompt_message(), is_password=masked,
                                          pre_run=self._offer_suggestion)
            except KeyboardInterrupt:
                self.say([("dim", self.text("cancelled"))])
                continue
            except EOFError:
                self.leave()
                break
            try:
                self.submit(text)
            except KeyboardInterrupt:
                self.say([("warn", "   " + self.text("interrupted"))])
            except Exception as exc:  # a bug of ours must not end the learner's session (or lose --save)
                self.error(self.text("internal-error", error=f"{type(exc).__name__}: {visible_text(str(exc))}"))
        self.engine.close()
        return 0

    def submit(self, text: str) -> None:
        """Handle one line typed at the prompt."""
        from explorer.repl.slash import COMMANDS, run_slash

        # A terminal that sends bytes that are not UTF-8 gives lone surrogates; they cannot be
        # encoded for the wire, so they become U+FFFD, which the byte preview then shows.
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        state = self.engine.state
        if text.startswith("/") and (state is not State.DATA or text[1:].split(" ")[0].lower() in COMMANDS):
            run_slash(self, text)
        elif self.tutor is not None and self.tutor.asking:
            self.say_lines(self.tutor.answer(text))
        elif state is State.DATA:
            self._data_line(text)
        elif state is State.AUTH_EXCHANGE and self.auth is not None:
            outgoing, lines = self.auth.take(text, reveal=self.reveal_secrets)
            self.say_lines(lines)
            if outgoing is not None:
                shown = self.auth.shown_bytes(outgoing, self.reveal_secrets)
                if shown is not None:
                    self.hidden.add(outgoing.to_bytes().rstrip(b"\r\n"), self.auth.values["password"].encode("utf-8"))
                self.send(outgoing, shown=shown)
        elif not text.strip():
            return
        else:
            try:
                command = parse_command(text)
            except CommandError as exc:
                self.error(error_text(exc, self.lang))
                return
            self.send(command)

    def _data_line(self, text: str) -> None:
        if text == ".":
            for line in self.message.take_closing():  # /compose's attachments, before the end
                self.send(DataLine(line))
            self.say_lines([[("note", wrap(note("terminator", self.lang), "   "))]])
            self.send(EndOfData())
            return
        if text == "" and self.tutor is None:  # the header ends here, whatever the learner typed
            self._data_index = max(self._data_index, DATA_TEMPLATE.index(""))
        self.say_lines(view.dot_stuff_note(text, self.lang))
        self.send(DataLine(text))

    def send(self, outgoing, shown: bytes | None = None) -> None:
        """Show the exact bytes and the warnings, send, then show everything that came back.

        ``shown``: what to show for the bytes instead (a secret replaced by the placeholder)."""
        # What the server said meanwhile (a 421 in the middle of DATA) comes first, and answers
        # nothing this line does; if it closed the connection, the line is not sent at all.
        early = self.engine.poll()
        self.show_outcome(early)
        if early.events and not self.engine.connected:
            self.say([("warn", "   " + note("not-sent-closed", self.lang))])
            return
        try:
            warnings = self.engine.check(outgoing)
            # "(expect N)" says what THIS server answers where servers differ
            self.say_lines(view.warning_lines(self.server_family.for_family(warnings), self.lang))
            self.say_lines(self.server_family.predict(warnings, self.lang))
            wire = outgoing.to_bytes()
            self.message.lint(self, outgoing, wire)
            if self.show_bytes:
                self.say_lines(view.wire_lines("client", wire if shown is None else shown, hex_dump=self.show_hex,
                                               lang=self.lang))
            if isinstance(outgoing, Command) and outgoing.verb == "AUTH":
                mechanism, _, initial = outgoing.argument.partition(" ")
                self._auth_mechanism = mechanism.upper()
                self._initial_user = AuthGuide.user_of_initial(self._auth_mechanism, initial.strip())
                self.auth = None
                self.say_lines(AuthGuide.describe_initial(self._auth_mechanism, initial.strip(), self.lang))
            if self.engine.state is State.DATA and isinstance(outgoing, (DataLine, EndOfData)):
                self._data_index += 1
            outcome = self.engine.send(outgoing)
            if isinstance(outgoing, Command):
                self.addresses.sent(outgoing)
        except StrictModeError as exc:
            self.say([("error", wrap(self.text("strict-refused", reason=exc), "   "))])
            return
        if not wire.endswith(b"\n") and self.engine.state is not State.DATA:
            self.say([("note", wrap(note("no-line-end", self.lang), "   "))])
        self.show_outcome(outcome)
        if self.tutor is not None:
            self.say_lines(self.tutor.after(outgoing, outcome))

    def show_outcome(self, outcome: Outcome, empty: str | None = None) -> None:
        if not outcome.events and empty:
            self.say([("dim", empty)])
        for event in outcome.events:
            shown = event if self.reveal_secrets else self.hidden.event(event)
            self.say_lines(view.event_lines(shown, self.lang, hex_dump=self.show_hex))
            if isinstance(event, Answer):
                self.last_reply = shown.reply  # for /explain, which shows it
                self.say_lines(self.server_family.after(event, self.lang))
                self.addresses.answered(event)
                self._after_answer(event)

    def _after_answer(self, answer: Answer) -> None:
        if answer.after is State.DATA and answer.before is not State.DATA:
            self._data_index = 0
            self.message.data_started()
        if answer.after is State.AUTH_EXCHANGE and answer.reply.code == 334:
            self.auth, lines = AuthGuide.after_334(self._auth_mechanism or "LOGIN", answer.reply.lines[0], self.auth,
                                                   self.lang)
            self.say_lines(lines)
        elif answer.after is not State.AUTH_EXCHANGE:
            if answer.after is State.AUTHENTICATED and answer.before is not State.AUTHENTICATED:
                user = self.auth.values.get("username") if self.auth is not None else self._initial_user
                if user:
                    self.addresses.logged_in(user)
            self.auth = None

    # -- actions used by slash commands ----------------------------------------------------------

    def connect(self, words: list[str]) -> None:
        if words[:1] == ["sandbox"]:
            if self.sandbox_target is None:
                self.error(table_text("slash", "no-embedded-sandbox", self.lang))
                return
            target = self._sandbox_port(words[1:])
            if target is None:
                return
        elif words:
            try:
                target = parse_target(words)
            except TargetError as exc:
                self.error(exc.text(self.lang))
                return
        else:
            target = self.engine.target
        if self.on_sandbox(target):
            self.engine.target = target
            if self.sandbox() is None:
                return
        if target.insecure:
            self.say([("warn", wrap(table_text("repl", "connect-insecure", self.lang), ""))])
        self.engine.target = target
        self.auth = None
        self.addresses.connecting(sandbox=self.on_sandbox(target))
        self.say([("dim", self.text("connecting", target=self.target_label))])
        outcome = self.engine.connect()
        self.show_outcome(outcome)
        self.say_lines(connect_hint_lines(outcome, self.engine.target, self.lang))
        if self.tutor is not None:
            self.say_lines(self.tutor.after(None, outcome))

    def _sandbox_port(self, options: list[str]) -> Target | None:
        """The sandbox's plain port, or with ``--tls`` its implicit-TLS port (as 465)."""
        assert self.sandbox_target is not None
        if not options:
            return self.sandbox_target
        if options != ["--tls"]:
            self.error(table_text("slash", "connect-sandbox-usage", self.lang))
            return None
        self.engine.target = self.sandbox_target
        box = self.sandbox()
        if box is None:
            return None
        if box.tls_port is None:
            self.error(table_text("slash", "no-tls-port", self.lang))
            return None
        self._sandbox_tls_target = replace(self.sandbox_target, port=box.tls_port, security="tls")
        return self._sandbox_tls_target

    def compose(self, subject: str | None) -> None:
        if self.message.compose(self, subject):
            self._data_index = DATA_TEMPLATE.index("")

    def transcript(self) -> list[Line]:
        """The session so far as C:/S: lines, read as /save and the transcripts read it (the one
        walker, secrets replaced by the one placeholder)."""
        from explorer.reports.secrets import prepare

        transcript, _ = prepare(self.engine.log, secrets=self.engine.secrets, lang=self.lang)
        return view.session_lines(transcript)

    def leave(self) -> None:
        if self.engine.connected and self.engine.session.unfinished_line:
            # /raw left a line open: end it, or QUIT would be glued to it ("QUITQUIT").
            self.send(RawBytes(b"\r\n"))
        if self.engine.connected and self.engine.state is State.AUTH_EXCHANGE:
            self.send(AuthLine("*"))  # cancel the exchange first: QUIT there would be read as an answer
        if self.engine.connected and self.engine.state not in (State.CLOSED, State.DATA, State.AWAITING_GREETING):
            self.send(parse_command("QUIT"))
        self.finished = True


def _command_or_none(text: str) -> Command | None:
    try:
        return parse_command(text)
    except CommandError:
        return None
