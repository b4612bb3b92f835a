"""A lesson inside the REPL: narration, the step's suggestion, a check of every attempt, hints one
at a time after a miss (and one that fits where the session is), the question at the end of a
step, progress kept for next time, and the next lesson offered at the end."""

from __future__ import annotations

from pathlib import Path

from explorer.core.commands import Command, RawBytes
from explorer.core.session import DataLine
from explorer.core.states import State
from explorer.client.engine import Engine, Outcome, Target
from explorer.lessons import progress
from explorer.lessons.judge import judge, state_hint
from explorer.lessons.loader import LessonError, list_lessons, load_lesson
from explorer.lessons.model import Lesson, Question, Step, fill
from explorer.width import unwrap
from explorer.lessons.runner import apply_actions, step_outgoing, suggestion_for
from explorer.lessons.texts import text
from explorer.reports.explaining import wrap, wrap_after

__all__ = ["Tutor", "run_interactive", "fast_forward", "next_lesson"]

Line = list[tuple[str, str]]


class Tutor:
    """Follows one lesson alongside a REPL; every method returns the lines to show."""

    def __init__(self, lesson: Lesson, variables: dict[str, str], sandbox=None, start: int = 0, lang: str = "en"):
        self.lesson = lesson
        self.variables = variables
        self.sandbox = sandbox
        self.lang = lang
        self.index = start
        self.misses = 0
        self.asking = False  # the step passed and its question waits for an answer
        self.announced = -1
        self.typed = 0  # lines of the current message step sent so far
        self.engine: Engine | None = None  # the REPL's engine, known from the first enter()
        self.fix: str | None = None  # the command last suggested to get the session where the step can pass

    def set_lang(self, lang: str) -> None:
        """Speak ``lang`` from now on: the tutor's texts and the lesson's own (its translation, if any)."""
        self.lang = lang
        try:
            self.lesson = load_lesson(self.lesson.path, lang)
        except (LessonError, OSError):
            pass  # the file changed or went away since the lesson started: keep the texts loaded

    @property
    def step(self) -> Step | None:
        return self.lesson.steps[self.index] if self.index < len(self.lesson.steps) else None

    @property
    def finished(self) -> bool:
        return self.step is None

    def status(self) -> str:
        if self.finished:
            return text("status-done", self.lang)
        return text("status-step", self.lang, n=self.index + 1, total=len(self.lesson.steps))

    def _text(self, template: str) -> str:
        try:
            return fill(template, self.variables)
        except KeyError:
            return template

    def intro(self) -> list[Line]:
        lesson = self.lesson
        return [[("title", text("intro-title", self.lang, title=lesson.title)),
                 ("dim", text("intro-size", self.lang, level=text(f"level-{lesson.level}", self.lang), steps=len(lesson.steps)))],
                [("dim", wrap(lesson.summary, ""))],
                [("dim", text("intro-keys", self.lang))]]

    def enter(self, engine: Engine) -> list[Line]:
        """Lines for the current step, shown once when it starts (its actions run then)."""
        self.engine = engine
        step = self.step
        if step is None or self.announced == self.index:
            return []
        self.announced = self.index
        self.misses = 0
        self.typed = 0
        lines: list[Line] = [[("title", text("step-head", self.lang, n=self.index + 1, total=len(self.lesson.steps)))]]
        lines += [[("", wrap(unwrap(p), "   "))] for p in self._text(step.narration).split("\n\n") if p.strip()]
        for note in apply_actions(step, engine, self.sandbox, self.lang):
            lines.append([("dim", f"   ({note})")])
        if step.session == "reconnect":
            lines.append([("dim", "   " + text("step-reconnect", self.lang))])
        if step.kind == "auth" and step.secret:
            lines.append([("dim", "   " + text("step-secret", self.lang))])
        return lines + self._state_lines()

    def _state(self) -> State | None:
        return self.engine.state if self.engine is not None else None

    def _state_lines(self) -> list[Line]:
        """The hint that fits where the session is, if the current step cannot pass from there."""
        state, step = self._state(), self.step
        if state is None or step is None or self.asking:
            return []
        hint, _fix = state_hint(step, state, self.variables, self.lang)
        return [[("note", wrap(text("state-hint", self.lang, hint=hint), "   "))]] if hint else []

    def suggestion(self) -> str | None:
        """What to type next: the command that gets the session where the step can pass (RSET
        when a transaction is open where the step starts one), else the step's own suggestion."""
        step, state = self.step, self._state()
        if self.asking or step is None:
            return None
        self.fix = state_hint(step, state, self.variables, self.lang)[1] if state is not None else None
        return self.fix or suggestion_for(step, self.variables)

    def data_suggestion(self) -> str | None:
        """In DATA mode: the step's ``/raw`` line, or the next line of its message (for the ghost text)."""
        step = self.step
        if step is None or self.asking:
            return None
        if step.kind == "raw":
            return suggestion_for(step, self.variables)
        if step.kind != "message":
            return None
        lines = self._text(step.send).strip("\n").split("\n") + ["."]
        return lines[self.typed] if self.typed < len(lines) else None

    def after(self, sent: object, outcome: Outcome) -> list[Line]:
        """Judge an attempt; on a pass move on (or ask the question), on a miss give a hint."""
        step = self.step
        if step is None or self.asking:
            return []
        verdict = judge(step, sent, outcome, self.variables, self.lang)
        if not verdict.judged:
            if isinstance(sent, (DataLine, RawBytes)):
                self.typed += 1
            return []
        if verdict.passed:
            lines: list[Line] = [[("code2", "   " + text("passed", self.lang)), ("", verdict.reason)]]
            if step.question is not None:
                self.asking = True
                return lines + self._question_lines(step)
            return lines + self._advance()
        if self._is_fix(sent):
            return []  # what the tutor suggested to get there: not an attempt at the step
        self.misses += 1
        lines = [[("warn", "   " + text("not-yet", self.lang)), ("", verdict.reason)]]
        lines += self._state_lines()
        if step.hints:
            n = min(self.misses, len(step.hints))
            hint = text("hint", self.lang, n=n, total=len(step.hints), hint=self._text(step.hints[n - 1]))
            lines.append([("note", wrap(hint, "   "))])
        return lines

    def _is_fix(self, sent: object) -> bool:
        """Was ``sent`` the way out the tutor offered (RSET, or a new connection)?"""
        if self.fix == "/connect":
            return sent is None
        return isinstance(sent, Command) and self.fix is not None and sent.line.upper() == self.fix.upper()

    def _question_lines(self, step: Step) -> list[Line]:
        question = step.question
        label = "   " + text("question", self.lang)
        lines: list[Line] = [[("title", label), ("", wrap_after(label, self._text(question.prompt), "     "))]]
        lines += [[("", f"     {n}. {self._text(choice)}")] for n, choice in enumerate(question.choices, 1)]
        lines.append(self._answer_help(question))
        return lines

    def _answer_help(self, question: Question) -> Line:
        helper = (text("question-choice-help", self.lang, count=len(question.choices)) if question.kind == "choice"
                  else text("question-text-help", self.lang))
        return [("dim", "   " + helper)]

    def answer(self, given: str) -> list[Line]:
        step = self.step
        if step is None or step.question is None:
            return []
        question = step.question
        if not given.strip():  # Enter alone (a slip, or "what was the question?"): no attempt
            return [self._answer_help(question)]
        verdict = question.check(given)
        if verdict is None:
            return [[("warn", "   " + text("type-the-number", self.lang, count=len(question.choices)))]]
        if verdict:
            self.asking = False
            label = "   " + text("right", self.lang)
            return [[("code2", label), ("", wrap_after(label, self._text(question.right), "     "))]] + self._advance()
        label = "   " + text("not-quite", self.lang)
        return [[("warn", label), ("", wrap_after(label, self._text(question.wrong), "     "))],
                [("dim", "   " + text("try-again", self.lang))]]

    def _advance(self) -> list[Line]:
        self.index += 1
        if not self.finished:
            progress.save_step(self.lesson.path, self.index)
            return []
        progress.mark_done(self.lesson.path)
        lines: list[Line] = [[("title", text("complete", self.lang, title=self.lesson.title))]]
        following = next_lesson(self.lesson.path, self.lang)
        if following is None:
            return lines + [[("dim", text("all-done", self.lang))]]
        return lines + [[("note", text("next-lesson", self.lang, title=following.title, name=following.name))]]

    def skip(self) -> list[Line]:
        if self.finished:
            return [[("dim", text("already-complete", self.lang))]]
        self.asking = False
        return [[("dim", "   " + text("skipped", self.lang, n=self.index + 1))]] + self._advance()

    def back(self) -> list[Line]:
        if self.index == 0:
            return [[("dim", text("first-step", self.lang))]]
        self.index -= 1
        self.asking = False
        self.announced = -1
        progress.save_step(self.lesson.path, self.index)
        return [[("dim", "   " + text("back", self.lang, n=self.index + 1))]]

    def where(self) -> list[Line]:
        self.announced = -1  # show the narration again
        return [[("title", f"{self.lesson.title}: {self.status()}")]]


def next_lesson(path: Path, lang: str = "en") -> Lesson | None:
    """The lesson to offer after ``path``: the first one after it in the list (the bundled
    lessons, and those of its own folder) not yet done, else the first not done before it."""
    folder = Path(path).resolve().parent
    paths = [p.resolve() for p in list_lessons(folder)]
    paths = list(dict.fromkeys(paths))  # the bundled folder may be the lesson's own
    here = Path(path).resolve()
    after = paths.index(here) + 1 if here in paths else 0
    done = progress.load_progress()
    for candidate in paths[after:] + paths[:after]:
        if candidate == here or done.get(str(candidate), progress.Progress()).done:
            continue
        try:
            return load_lesson(candidate, lang)
        except LessonError:
            continue  # a broken lesson is not worth offering
    return None


def fast_forward(lesson: Lesson, engine: Engine, variables: dict[str, str], sandbox, upto: int) -> bool:
    """Replay steps before ``upto`` silently, so a resumed lesson finds the session where it was."""
    for step in lesson.steps[:upto]:
        apply_actions(step, engine, sandbox)
        if step.kind == "connect" or step.session == "reconnect":
            outcome = engine.connect()
        if step.kind != "connect":
            sent = step_outgoing(step, variables)
            outcome = engine.send(sent)
        else:
            sent = None
        if not judge(step, sent, outcome, variables).passed:
            return False
    return True


def run_interactive(lesson: Lesson, variables: dict[str, str], target: Target, sandbox, *, restart: bool = False,
                    save_args=None, lang: str = "en") -> int:
    """Run ``lesson`` in the REPL; ``save_args`` (parsed ``--save``/``--reveal-secrets``) saves the session at the end."""
    from explorer.repl.app import Repl
    from explorer.repl.history import history

    start = 0 if restart else progress.progress_of(lesson.path).step
    if start >= len(lesson.steps):
        start = 0
    tutor = Tutor(lesson, variables, sandbox, start, lang)
    repl = Repl(target, sandbox=(lambda: sandbox) if sandbox is not None else None, history=history(),
                variables={k: v for k, v in variables.items()}, tutor=tutor, lang=lang,
                reveal_secrets=bool(getattr(save_args, "reveal_secrets", False)))
    repl.say_lines(tutor.intro())
    if start:
        repl.say([("dim", text("resuming", tutor.lang, n=start + 1, last=start))])
        if not fast_forward(lesson, repl.engine, variables, sandbox, start):
            repl.say([("warn", text("replay-failed", tutor.lang))])
            repl.engine.close()
            tutor.index = 0
    status = repl.run()
    if save_args is None:
        return status
    from explorer.reports.options import save_after

    return save_after(save_args, repl.engine, lang=repl.lang) or status
