"""Browser tests: Debian's Chromium driven by Playwright against the live test server."""

import os
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls made by
# the test itself are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

DEMO_PASSWORD = "frontdesk-demo"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOT_DIR = Path(os.environ.get("SCREENSHOT_DIR", "test-results/screens"))


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if not Path(CHROMIUM).exists():
                item.add_marker(
                    pytest.mark.skip(reason=f"Chromium not installed at {CHROMIUM} (apt-get install chromium)")
                )


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session", autouse=True)
def _close_connections_opened_under_playwright(playwright):
    """While Playwright's sync API runs, the test thread works in another contextvars context, and
    Django keeps one set of connections per context. Tests run after the first browser test open
    theirs there; close them before Playwright stops, or the test database's teardown finds them
    still open ("database … is being accessed by other users")."""
    yield
    connections.close_all()


@pytest.fixture
def shot():
    """Save a full-page screenshot under SCREENSHOT_DIR (docs/ when regenerating the README's)."""

    def save(page, name: str) -> None:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"), full_page=True)

    return save


@pytest.fixture
def demo(transactional_db):
    """The seed_demo help desk: departments, topics, SLA plans, people and a few tickets."""
    call_command("seed_demo", stdout=StringIO())


@pytest.fixture
def sign_in(live_server):
    def do(page, email: str, password: str) -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("E-mail address").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()

    return do
