"""The description's character counter: its words come from the page in the reader's
language, with the Russian plural form that fits each number."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

PORTAL_JS = Path(settings.BASE_DIR) / "static" / "js" / "portal.js"

# What the Russian catalogue holds for the counter (the lead merges it from the helpers' lists);
# the browser test serves these so it checks the forms whatever the compiled catalogue has yet.
RUSSIAN = {
    "%(number)s character left": [
        "Остался %(number)s символ",
        "Осталось %(number)s символа",
        "Осталось %(number)s символов",
    ],
    "%(number)s more character needed": [
        "Нужен ещё %(number)s символ",
        "Нужно ещё %(number)s символа",
        "Нужно ещё %(number)s символов",
    ],
    "Too long: remove %(number)s character": [
        "Слишком длинно: уберите %(number)s символ",
        "Слишком длинно: уберите %(number)s символа",
        "Слишком длинно: уберите %(number)s символов",
    ],
}


def russian_form(count: int) -> int:
    if count % 10 == 1 and count % 100 != 11:
        return 0
    return 1 if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14 else 2


def test_portal_js_holds_no_words_for_people():
    literals = set(re.findall(r'"([^"]*)"', PORTAL_JS.read_text(encoding="utf-8"))) - {"use strict"}
    worded = [text for text in literals if re.search(r"[A-Za-zА-Яа-яЁё]+ [A-Za-zА-Яа-яЁё]+|[А-Яа-яЁё]", text)]
    assert worded == []


@pytest.mark.django_db
def test_the_counter_words_are_rendered_in_the_readers_language(client, citizen_a, account_category):
    client.force_login(citizen_a)

    html = client.get(reverse("portal:appeal_create"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    counter = re.search(r'<p class="char-counter"[^>]*>', html).group(0)
    assert 'data-counter-for="id_text"' in counter and " hidden" in counter
    assert 'data-left-1="{n} character left"' in counter
    assert 'data-left-2="{n} characters left"' in counter and 'data-left-5="{n} characters left"' in counter
    assert 'data-short-1="{n} more character needed"' in counter
    assert 'data-over-5="Too long: remove {n} characters"' in counter


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_counter_uses_the_russian_plural_that_fits_the_number(
    live_server, browser_page, sign_in, citizen_a, account_category, form_policy, monkeypatch
):
    real_ngettext = translation.ngettext

    def catalogue(singular, plural, count):
        if translation.get_language() == "ru" and singular in RUSSIAN:
            return RUSSIAN[singular][russian_form(count)]
        return real_ngettext(singular, plural, count)

    monkeypatch.setattr(translation, "ngettext", catalogue)
    page = browser_page
    sign_in(page, live_server, "alice@example.ru", "correct-horse-42")
    page.goto(f"{live_server.url}/help/appeal/new/")

    def shown_for(length: int) -> str:
        page.fill("textarea[name=text]", "ж" * length)
        return page.text_content(".char-counter").strip()

    assert shown_for(479) == "Остался 21 символ"
    assert shown_for(478) == "Осталось 22 символа"
    assert shown_for(475) == "Осталось 25 символов"
    assert shown_for(489) == "Осталось 11 символов"
    assert shown_for(388) == "Осталось 112 символов"
    assert shown_for(19) == "Нужен ещё 1 символ"
    assert shown_for(17) == "Нужно ещё 3 символа"
    assert shown_for(5) == "Нужно ещё 15 символов"
    assert shown_for(502) == "Слишком длинно: уберите 2 символа"
    assert "is-over" in page.get_attribute(".char-counter", "class")
