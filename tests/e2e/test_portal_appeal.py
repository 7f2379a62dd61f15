"""A citizen files an appeal with a picture in a real browser and finds it in "My appeals"."""

import re
from io import BytesIO

import pytest
from PIL import Image

from tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def png_file(tmp_path):
    buffer = BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 200)).save(buffer, format="PNG")
    path = tmp_path / "screenshot.png"
    path.write_bytes(buffer.getvalue())
    return path


def test_citizen_files_an_appeal_and_finds_it_in_my_appeals(
    live_server,
    browser_page,
    sign_in,
    serious_a11y_violations,
    citizen_a,
    account_category,
    form_policy,
    tmp_path,
):
    page = browser_page
    sign_in(page, live_server, "alice@example.ru", "correct-horse-42")

    page.goto(f"{live_server.url}/help/appeal/new/")
    assert serious_a11y_violations(page) == []
    page.select_option("select[name=category]", str(account_category.pk))
    page.fill("textarea[name=text]", "Не приходит СМС с кодом при входе в личный кабинет")
    assert re.search(r"\d", page.text_content(".char-counter"))
    page.set_input_files("input[name=files]", str(png_file(tmp_path)))
    assert page.input_value("input[name=contact_email]") == "alice@example.ru"
    page.click("#appeal-form button[type=submit]")
    page.wait_for_selector(".appeal-number")

    number = page.text_content(".appeal-number").strip()
    ticket = Ticket.objects.get(number=number)
    assert ticket.citizen == citizen_a
    assert ticket.attachments.get().original_name == "screenshot.png"
    assert page.locator("time").count() >= 1
    assert serious_a11y_violations(page) == []

    page.goto(f"{live_server.url}/help/appeals/")
    assert page.locator(f"text={number}").count() == 1
    assert serious_a11y_violations(page) == []


def test_without_javascript_form_errors_are_shown_next_to_the_field(
    live_server, no_script_page, sign_in, citizen_a, account_category, form_policy
):
    page = no_script_page
    sign_in(page, live_server, "alice@example.ru", "correct-horse-42")
    page.goto(f"{live_server.url}/help/appeal/new/")
    page.select_option("select[name=category]", str(account_category.pk))
    page.fill("textarea[name=text]", "Коротко")
    page.click("#appeal-form button[type=submit]")
    page.wait_for_selector("#id_text_error")
    assert page.get_attribute("textarea[name=text]", "aria-invalid") == "true"
    assert "id_text_error" in page.get_attribute("textarea[name=text]", "aria-describedby")
    assert not Ticket.objects.exists()


def test_the_accessibility_check_catches_a_serious_violation(browser_page, serious_a11y_violations):
    browser_page.set_content('<html lang="ru"><body><main><img src="data:,"><h1>Страница</h1></main></body></html>')
    assert any(violation.startswith("image-alt") for violation in serious_a11y_violations(browser_page))
