"""Shared browser fixtures: Playwright driving Debian's Chromium against `live_server`.

    chromium_browser        session-wide headless Chromium (skipped when /usr/bin/chromium is
                            missing, unless REQUIRE_BROWSER=1, then the test fails)
    browser_page            a fresh page (own cookies) in Russian, closed after the test
    no_script_page          the same with JavaScript switched off (pages must work without it)
    sign_in(page, live_server, login, password)
                            signs in through the real sign-in form
    serious_a11y_violations(page)
                            axe-core's serious and critical violations of the current page,
                            as readable strings (empty list = pass); axe is JavaScript, so
                            use it on browser_page, never on no_script_page

Loaded for the whole suite by `tests/conftest.py`. Tests using them need `@pytest.mark.browser` and `@pytest.mark.django_db(transaction=True)`.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BLOCKING_IMPACTS = {"serious", "critical"}


@pytest.fixture(scope="session")
def chromium_browser():
    if not CHROMIUM.exists():
        message = f"Chromium is not installed at {CHROMIUM}"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message + " and REQUIRE_BROWSER=1")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in the test thread; Django's ORM calls made
    # from the same thread (fixtures, assertions) must be allowed. Browser tests run in a
    # pytest process of their own (`make test`), so this never reaches the socket tests.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def _open_page(browser, **options):
    context = browser.new_context(locale="ru-RU", timezone_id="Europe/Moscow", **options)
    context.set_default_timeout(15_000)
    return context, context.new_page()


@pytest.fixture
def browser_page(chromium_browser):
    context, page = _open_page(chromium_browser)
    yield page
    context.close()


@pytest.fixture
def no_script_page(chromium_browser):
    context, page = _open_page(chromium_browser, java_script_enabled=False)
    yield page
    context.close()


@pytest.fixture
def sign_in():
    def sign_in(page, live_server, login: str, password: str) -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", login)
        page.fill("input[name=password]", password)
        page.click("main form button[type=submit]")
        page.wait_for_load_state()
        assert "/accounts/login/" not in page.url, "sign-in failed"

    return sign_in


@pytest.fixture
def serious_a11y_violations():
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page) -> list[str]:
        results = axe.run(page)
        return [
            f"{violation['id']} ({violation['impact']}): {violation['help']} — "
            + "; ".join(" ".join(node["target"]) for node in violation["nodes"])
            for violation in results.response["violations"]
            if violation.get("impact") in BLOCKING_IMPACTS
        ]

    return check
