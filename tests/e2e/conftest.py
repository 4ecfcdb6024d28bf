"""Browser tests drive the system Chromium (Debian package `chromium`) with Playwright; no
browser is downloaded."""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run while
# a loop is running unless told that this single-threaded use is safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
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
    if not Path(CHROMIUM).exists():
        # The test command installs the chromium package when it runs as root; elsewhere a
        # missing browser is reported, not silently passed.
        pytest.fail(f"Chromium not found at {CHROMIUM}; install the 'chromium' package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def shot():
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return take


@pytest.fixture
def new_page(browser):
    """A fresh browser tab (own cookies). It waits up to a minute for a page or element: a
    loaded two-core CI machine can take a while over one request."""
    pages = []

    def make(**kwargs):
        page = browser.new_page(**kwargs)
        page.set_default_timeout(60_000)
        pages.append(page)
        return page

    yield make
    for page in pages:
        page.close()
