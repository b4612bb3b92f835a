"""Shared fixtures. Sandbox fixtures: a real server on 127.0.0.1, an OS-chosen port, tmp data."""

from __future__ import annotations

import pytest


@pytest.fixture
def make_sandbox(tmp_path):
    """Start sandboxes (keyword arguments as for ``Sandbox``); all are stopped after the test."""
    from explorer.sandbox import Sandbox

    started = []

    def make(**kwargs):
        kwargs.setdefault("data_dir", tmp_path / f"sandbox{len(started)}")
        box = Sandbox(**kwargs).start()
        started.append(box)
        return box

    yield make
    for box in started:
        box.stop()


@pytest.fixture
def sandbox(make_sandbox):
    """One sandbox with the defaults (both default accounts, no scenario)."""
    return make_sandbox()


@pytest.fixture
def raw():
    """``raw(box)`` connects a raw client (``clients.Wire``) to a sandbox; all closed after the test."""
    from clients import Wire

    clients = []

    def connect(box, timeout: float = 5.0) -> Wire:
        client = Wire(box.host, box.port, timeout)
        clients.append(client)
        return client

    yield connect
    for client in clients:
        client.close()
