"""Where each learner is in each lesson, kept in the data root beside the other state: the step
to resume at, and whether the lesson was finished once. A convenience: a missing, unreadable or
hand-edited file never stops a lesson, and a failed write is ignored."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from explorer.paths import data_root

__all__ = ["Progress", "progress_file", "load_progress", "progress_of", "save_step", "mark_done"]


@dataclass(frozen=True)
class Progress:
    """``step``: the index to resume at; ``done``: the lesson was finished at least once."""

    step: int = 0
    done: bool = False


def progress_file() -> Path:
    return data_root() / "lesson-progress.json"


def _key(lesson_path: Path) -> str:
    return str(Path(lesson_path).resolve())


def _entry(value: object) -> Progress | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return Progress(value)  # the earlier format: the step only
    if isinstance(value, dict):
        step, done = value.get("step", 0), value.get("done", False)
        if isinstance(step, int) and not isinstance(step, bool) and step >= 0 and isinstance(done, bool):
            return Progress(step, done)
    return None


def load_progress() -> dict[str, Progress]:
    """Every lesson's progress, by the lesson file's full path (entries that make no sense dropped)."""
    try:
        data = json.loads(progress_file().read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): entry for k, v in data.items() if (entry := _entry(v)) is not None}


def progress_of(lesson_path: Path) -> Progress:
    return load_progress().get(_key(lesson_path), Progress())


def _store(lesson_path: Path, progress: Progress) -> None:
    every = load_progress()
    every[_key(lesson_path)] = progress
    data = {key: {"step": p.step, "done": p.done} for key, p in every.items()}
    target = progress_file()
    partial = target.with_name(target.name + ".partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps(data, indent=1), encoding="utf-8")
        os.replace(partial, target)  # whole or not at all, also on Windows: a stop mid-write loses nothing
    except OSError:
        pass  # progress is a convenience: never let it break the lesson


def save_step(lesson_path: Path, step: int) -> None:
    """Remember the step to resume at (a finished lesson stays finished)."""
    _store(lesson_path, Progress(step, progress_of(lesson_path).done))


def mark_done(lesson_path: Path) -> None:
    """The lesson was finished: next time it starts from the first step."""
    _store(lesson_path, Progress(0, True))
