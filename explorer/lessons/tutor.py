"""A lesson inside the REPL: narration, the step's suggestion, a check of every attempt, hints one
at a time after a miss, the question at the end of a step, progress kept for next time."""

from __future__ import annotations

import json
from pathlib import Path

from explorer.client.engine import Engine, Outcome, Target
from explorer.reports.explaining import wrap
from explorer.lessons.loader import fill
from explorer.lessons.model import Lesson, Step
from explorer.lessons.runner import apply_actions, judge, step_outgoing, suggestion_for
from explorer.paths import data_root

__all__ = ["Tutor", "run_interactive", "progress_file"]

Line = list[tuple[str, str]]


def progress_file() -> Path:
    return data_root() / "lesson-progress.json"


def _load_progress() -> dict[str, int]:
    try:
        data = json.loads(progress_file().read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    # A progress file someone edited by hand: keep only the entries that make sense.
    if not isinstance(data, dict):
        return {}
    return {str(k): v for k, v in data.items() if isinstance(v, int) and not isinstance(v, bool) and v >= 0}


class Tutor:
    """Follows one lesson alongside a REPL; every method returns the lines to show."""

    def __init__(self, lesson: Lesson, variables: dict[str, str], sandbox=None, start: int = 0):
        self.lesson = lesson
        self.variables = variables
        self.sandbox = sandbox
        self.index = start
        self.misses = 0
        self.asking = False  # the step passed and its question waits for an answer
        self.announced = -1

    @property
    def step(self) -> Step | None:
        return self.lesson.steps[self.index] if self.index < len(self.lesson.steps) else None

    @property
    def finished(self) -> bool:
        return self.step is None

    def status(self) -> str:
        if self.finished:
            return "lesson done"
        return f"lesson {self.index + 1}/{len(self.lesson.steps)}"

    def _text(self, text: str) -> str:
        try:
            return fill(text, self.variables)
        except KeyError:
            return text

    def intro(self) -> list[Line]:
        lesson = self.lesson
        return [[("title", f"Lesson: {lesson.title}"), ("dim", f"  ({lesson.level}, {len(lesson.steps)} steps)")],
                [("dim", wrap(lesson.summary, ""))],
                [("dim", "/lesson shows where you are, /skip and /back move between steps.")]]

    def enter(self, engine: Engine) -> list[Line]:
        """Lines for the current step, shown once when it starts (its actions run then)."""
        step = self.step
        if step is None or self.announced == self.index:
            return []
        self.announced = self.index
        self.misses = 0
        lines: list[Line] = [[("title", f"-- step {self.index + 1}/{len(self.lesson.steps)} --")]]
        lines += [[("", wrap(" ".join(p.split()), "   "))] for p in self._text(step.narration).split("\n\n") if p.strip()]
        for note in apply_actions(step, engine, self.sandbox):
            lines.append([("dim", f"   ({note})")])
        if step.session == "reconnect":
            lines.append([("dim", "   (this step starts from a new connection: /connect)")])
        if step.kind == "auth" and step.secret:
            lines.append([("dim", "   (type the secret at the password prompt; it is masked)")])
        return lines

    def suggestion(self) -> str | None:
        if self.asking or self.step is None:
            return None
        return suggestion_for(self.step, self.variables)

    def message_line(self, typed_lines: int) -> str | None:
        """In a message step: the next line of the lesson's message, for the ghost text."""
        step = self.step
        if step is None or step.kind != "message" or self.asking:
            return None
        lines = self._text(step.send).strip("\n").split("\n") + ["."]
        return lines[typed_lines] if typed_lines < len(lines) else None

    def after(self, sent: object, outcome: Outcome) -> list[Line]:
        """Judge an attempt; on a pass move on (or ask the question), on a miss give a hint."""
        step = self.step
        if step is None or self.asking:
            return []
        verdict = judge(step, sent, outcome, self.variables)
        if not verdict.judged:
            return []
        if verdict.passed:
            lines: list[Line] = [[("code2", "   step passed: "), ("", verdict.reason)]]
            if step.question is not None:
                self.asking = True
                return lines + self._question_lines(step)
            return lines + self._advance()
        self.misses += 1
        lines = [[("warn", "   not yet: "), ("", verdict.reason)]]
        if step.hints:
            hint = step.hints[min(self.misses, len(step.hints)) - 1]
            lines.append([("note", wrap(f"hint {min(self.misses, len(step.hints))}/{len(step.hints)}: {self._text(hint)}", "   "))])
        return lines

    def _question_lines(self, step: Step) -> list[Line]:
        question = step.question
        lines: list[Line] = [[("title", "   question: "), ("", self._text(question.prompt))]]
        lines += [[("", f"     {n}. {self._text(choice)}")] for n, choice in enumerate(question.choices, 1)]
        lines.append([("dim", "   (type your answer; /skip moves on without answering)")])
        return lines

    def answer(self, text: str) -> list[Line]:
        step = self.step
        if step is None or step.question is None:
            return []
        if step.question.is_right(text):
            self.asking = False
            return [[("code2", "   right: "), ("", self._text(step.question.right))]] + self._advance()
        return [[("warn", "   not quite: "), ("", self._text(step.question.wrong))],
                [("dim", "   try again, or /skip")]]

    def _advance(self) -> list[Line]:
        self.index += 1
        self._save()
        if self.finished:
            return [[("title", f"Lesson complete: {self.lesson.title}")]]
        return []

    def skip(self) -> list[Line]:
        if self.finished:
            return [[("dim", "the lesson is already complete")]]
        self.asking = False
        return [[("dim", f"   skipped step {self.index + 1}")]] + self._advance()

    def back(self) -> list[Line]:
        if self.index == 0:
            return [[("dim", "this is the first step")]]
        self.index -= 1
        self.asking = False
        self.announced = -1
        self._save()
        return [[("dim", f"   back to step {self.index + 1} (the session itself does not go back)")]]

    def where(self) -> list[Line]:
        self.announced = -1  # show the narration again
        return [[("title", f"{self.lesson.title}: {self.status()}")]]

    def _save(self) -> None:
        progress = _load_progress()
        progress[str(self.lesson.path.resolve())] = self.index if not self.finished else 0
        try:
            progress_file().parent.mkdir(parents=True, exist_ok=True)
            progress_file().write_text(json.dumps(progress, indent=1), encoding="utf-8")
        except OSError:
            pass  # progress is a convenience: never let it break the lesson


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

    key = str(lesson.path.resolve())
    start = 0 if restart else _load_progress().get(key, 0)
    if start >= len(lesson.steps):
        start = 0
    tutor = Tutor(lesson, variables, sandbox, start)
    repl = Repl(target, sandbox=(lambda: sandbox) if sandbox is not None else None, history=history(),
                variables={k: v for k, v in variables.items()}, tutor=tutor, lang=lang)
    repl.say_lines(tutor.intro())
    if start:
        repl.say([("dim", f"resuming at step {start + 1} (--restart starts over): replaying steps 1-{start} ...")])
        if not fast_forward(lesson, repl.engine, variables, sandbox, start):
            repl.say([("warn", "the replay did not reach the same point; starting from step 1")])
            repl.engine.close()
            tutor.index = 0
    status = repl.run()
    if save_args is None:
        return status
    from explorer.reports.options import save_after

    return save_after(save_args, repl.engine, lang=repl.lang) or status
