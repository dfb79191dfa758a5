"""Browser tests: real headless Chromium (Debian's), driven by Playwright, against a live server."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # The widget test serves a shop page from a routed origin; Chromium would treat it as
    # public and refuse its script request to loopback, which a real deployment never meets.
    "--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests",
]


@pytest.fixture
async def db_url(tmp_path: Path) -> AsyncIterator[str]:
    """Browser flows run on the default embedded database (SQLite)."""
    yield f"sqlite:///{tmp_path / 'tandem.db'}"


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    if not Path(CHROMIUM).exists():  # noqa: ASYNC240 (once per session, before any I/O)
        message = (
            "Chromium is not installed: run .ci/run (apt-get install chromium) for browser tests"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        await browser.close()
