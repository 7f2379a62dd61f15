"""In a real browser under the CSP: the admin index loads the live dashboard by itself."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_supervisor_lands_on_the_live_dashboard(live_server, browser_page, history, supervisor):
    page = browser_page
    refused = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", supervisor.username)
    page.fill("input[name=password]", "correct-horse-42")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.wait_for_selector("#supervision-dashboard .supervision-tiles")
    # Today #4 and #5 are past their resolution deadline; #6 waits for documents, its clock stopped.
    assert page.locator('[data-figure="breached"]').text_content().strip() == "2"
    assert page.locator("#supervision-dashboard svg.chart").count() == 3
    assert page.locator("#content-main").count() == 1  # the admin's own list of models stays below
    assert refused == []
