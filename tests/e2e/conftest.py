"""Playwright driving Debian's Chromium (/usr/bin/chromium) against the live server.

Pages send a Content-Security-Policy without 'unsafe-eval': give `wait_for_function` a function
("() => ..."), not an expression, which Playwright would poll with eval() inside the page.
"""

import os
from pathlib import Path

import pytest

from tests.utils import artifact

# Playwright's sync API runs an event loop in the test thread; the Django calls made by
# fixtures around it are still synchronous (the documented setting for this case).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(live_server_url, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="pl-PL")
    pg = context.new_page()
    pg.base = live_server_url
    errors = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def phone(live_server_url, browser):
    context = browser.new_context(
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        locale="pl-PL",
    )
    pg = context.new_page()
    pg.base = live_server_url
    yield pg
    context.close()


def shot(page, name: str, *, full_page: bool = False) -> Path:
    """A screenshot for a human to look at, in the artifacts folder (tests/utils.py)."""
    path = artifact(f"{name}.png")
    page.screenshot(path=str(path), full_page=full_page)
    return path
