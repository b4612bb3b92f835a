"""The protocol core and the knowledge tables are sans-IO: they import no I/O or UI module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import explorer

FORBIDDEN = {"socket", "ssl", "asyncio", "aiosmtpd", "prompt_toolkit", "selectors", "subprocess",
             "threading", "http", "urllib", "smtplib"}
PACKAGE = Path(explorer.__file__).parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


# Each sans-IO package, and the packages of the project it may import.
SANS_IO = {
    "core": ("explorer.core", "explorer.knowledge"),
    "knowledge": ("explorer.core", "explorer.knowledge"),
    "lint": ("explorer.core", "explorer.knowledge", "explorer.lint", "explorer.recording.secrets"),
    # The walker applies the linter's rules (a lower layer, DESIGN.md).
    "recording": ("explorer.core", "explorer.knowledge", "explorer.recording", "explorer.lint"),
}


@pytest.mark.parametrize("package", sorted(SANS_IO))
def test_sans_io_packages_import_no_io(package: str) -> None:
    files = sorted((PACKAGE / package).glob("*.py"))
    assert len(files) >= 4
    for path in files:
        for name in imported_modules(path):
            top = name.split(".")[0]
            assert top not in FORBIDDEN, f"{path.name} imports {name}"
            if top == "explorer":
                assert name.startswith(SANS_IO[package]), f"{path.name} imports {name}"


def test_the_scanner_sees_forbidden_imports(tmp_path: Path) -> None:
    sample = tmp_path / "x.py"
    sample.write_text("import socket\nfrom asyncio import run\nfrom . import y\n")
    assert imported_modules(sample) == {"socket", "asyncio"}
