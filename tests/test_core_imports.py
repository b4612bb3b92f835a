"""The protocol core and the knowledge tables are sans-IO: they import no I/O or UI module."""

from __future__ import annotations

import ast
from pathlib import Path

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


def test_core_and_knowledge_import_no_io() -> None:
    files = sorted((PACKAGE / "core").glob("*.py")) + sorted((PACKAGE / "knowledge").glob("*.py"))
    assert len(files) >= 8
    for path in files:
        for name in imported_modules(path):
            top = name.split(".")[0]
            assert top not in FORBIDDEN, f"{path.name} imports {name}"
            if top == "explorer":
                assert name.startswith(("explorer.core", "explorer.knowledge")), f"{path.name} imports {name}"


def test_the_scanner_sees_forbidden_imports(tmp_path: Path) -> None:
    sample = tmp_path / "x.py"
    sample.write_text("import socket\nfrom asyncio import run\nfrom . import y\n")
    assert imported_modules(sample) == {"socket", "asyncio"}
