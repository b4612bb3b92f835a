"""--save and /save write new, private files: never over an existing one, inside a folder given
as DIR/, and --save before a sub-command counts; inspect's header knows a 235 when the
credentials were removed."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest
from transcript_sessions import error_box, error_engine  # noqa: F401 (fixtures)

from explorer.commands import build_parser, main
from explorer.recording import read_recordings
from explorer.reports.options import save_after, save_from_repl


@pytest.mark.parametrize("argv", [
    ["--save", "{f}", "connect", "127.0.0.1:2525"],
    ["connect", "127.0.0.1:2525", "--save", "{f}"],
    ["--save", "{f}", "--reveal-secrets", "lesson", "anatomy"],
])
def test_save_given_before_or_after_the_sub_command_counts(tmp_path, argv) -> None:
    target = str(tmp_path / "s.jsonl")
    args = build_parser().parse_args([a.format(f=target) for a in argv])
    assert args.save == Path(target)
    assert args.reveal_secrets is ("--reveal-secrets" in argv)


def test_an_existing_file_is_never_overwritten(tmp_path, error_engine) -> None:  # noqa: F811
    path = tmp_path / "lab1.jsonl"
    path.write_text("the learner's own notes\n")
    said: list[str] = []
    args = build_parser().parse_args(["--save", str(path)])
    assert save_after(args, error_engine, write=said.append, error=said.append) == 0
    assert path.read_text() == "the learner's own notes\n"
    renamed = tmp_path / "lab1-2.jsonl"
    assert str(renamed) in said[0] and "exists" in said[0]
    ok, message = save_from_repl(error_engine, str(path))
    assert ok and str(tmp_path / "lab1-3.jsonl") in message
    (recording,) = read_recordings(renamed)
    assert recording.chunks


def test_a_folder_gets_the_session_inside_and_files_are_private(tmp_path, error_engine) -> None:  # noqa: F811
    folder = tmp_path / "work"
    folder.mkdir()
    said: list[str] = []
    for given in (str(folder) + os.sep, str(folder)):
        args = build_parser().parse_args(["--save", given])
        assert save_after(args, error_engine, write=said.append, error=said.append) == 0
    saved = sorted(folder.iterdir())
    assert len(saved) == 2 and all(p.suffix == ".jsonl" for p in saved)
    assert not list(tmp_path.glob("work-*"))  # nothing beside the folder
    if sys.platform != "win32":
        assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in saved)


def test_a_folder_that_does_not_exist_is_refused_before_the_session(tmp_path, capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--save", str(tmp_path / "nope") + os.sep, "explain", "250"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "does not exist" in err


def test_inspect_says_auth_succeeded_when_the_account_was_removed(tmp_path, error_engine, capsys) -> None:  # noqa: F811
    path = tmp_path / "s.jsonl"
    ok, _ = save_from_repl(error_engine, str(path))
    assert ok
    assert main(["inspect", str(path)]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert "AUTH accepted (235)" in header and "no AUTH" not in header
