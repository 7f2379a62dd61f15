"""The Russian catalogue translates every msgid, its compiled .mo says the same as the .po,
and real pages render in Russian with none of their English msgids left over."""

import ast
import gettext
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
RUSSIAN_PO = LOCALE_DIR / "ru" / "LC_MESSAGES" / "django.po"
RUSSIAN_MO = LOCALE_DIR / "ru" / "LC_MESSAGES" / "django.mo"
ENGLISH_MO = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.mo"
RUSSIAN_PLURAL_FORMS = (
    "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"
)
# Python %-placeholders, str.format fields and HTML tags must survive translation unchanged.
MARKS = re.compile(r"%%|%\([a-z_0-9]+\)[sdifr]|%[sdif]|\{[a-z_0-9]*\}|<[^>]+>")


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: str = ""
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)

    @property
    def label(self):
        return f"{self.msgctxt}|{self.msgid}" if self.msgctxt else self.msgid

    @property
    def forms(self):
        return [self.msgstr_plural.get(i, "") for i in range(3)] if self.msgid_plural else [self.msgstr]


def _parse_block(lines):
    entry, target = Entry(), None
    for line in lines:
        if line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#:"):
            entry.references.extend(ref.rsplit(":", 1)[0] for ref in line[2:].split())
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            _append(entry, target, ast.literal_eval(line))
        else:
            keyword, _, quoted = line.partition(" ")
            target = keyword
            _append(entry, target, ast.literal_eval(quoted))
    return entry


def _append(entry, target, text):
    if target.startswith("msgstr["):
        index = int(target[7:-1])
        entry.msgstr_plural[index] = entry.msgstr_plural.get(index, "") + text
    else:
        setattr(entry, target, (getattr(entry, target) or "") + text)


def read_po(path):
    """The entries of a .po file, header first; obsolete (#~) entries are left out."""
    blocks = path.read_text(encoding="utf-8").split("\n\n")
    entries = []
    for block in blocks:
        lines = [line for line in block.splitlines() if line.strip() and not line.startswith("#~")]
        if any(not line.startswith("#") for line in lines):
            entries.append(_parse_block(lines))
    return entries


@pytest.fixture(scope="module")
def russian():
    entries = read_po(RUSSIAN_PO)
    assert entries and entries[0].msgid == "", "the Russian catalogue has no header"
    return entries


def _header(entry):
    return dict(line.split(": ", 1) for line in entry.msgstr.splitlines() if ": " in line)


def test_russian_catalogue_declares_russian_plural_forms(russian):
    header = _header(russian[0])
    assert header["Language"] == "ru"
    assert header["Plural-Forms"] == RUSSIAN_PLURAL_FORMS
    assert "fuzzy" not in russian[0].flags, "a fuzzy header is dropped by msgfmt, and its plural rule with it"


def test_every_russian_entry_is_translated_and_not_fuzzy(russian):
    fuzzy = [entry.label for entry in russian[1:] if "fuzzy" in entry.flags]
    untranslated = [entry.label for entry in russian[1:] if not all(form.strip() for form in entry.forms)]
    assert not fuzzy, f"{len(fuzzy)} fuzzy entries, e.g. {fuzzy[:10]}"
    assert not untranslated, f"{len(untranslated)} untranslated entries, e.g. {untranslated[:10]}"


def test_russian_plural_entries_have_exactly_three_forms(russian):
    wrong = [entry.label for entry in russian[1:] if entry.msgid_plural and sorted(entry.msgstr_plural) != [0, 1, 2]]
    assert not wrong, wrong[:10]


def test_russian_translations_keep_placeholders_and_markup(russian):
    broken = []
    for entry in russian[1:]:
        allowed = {tuple(sorted(MARKS.findall(entry.msgid)))}
        if entry.msgid_plural:
            allowed.add(tuple(sorted(MARKS.findall(entry.msgid_plural))))
        broken += [(entry.label, form) for form in entry.forms if tuple(sorted(MARKS.findall(form))) not in allowed]
    assert not broken, broken[:10]


def test_compiled_russian_catalogue_says_what_the_po_says(russian):
    with RUSSIAN_MO.open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    stale = []
    for entry in russian[1:]:
        if entry.msgid_plural:
            # 21, 22 and 25 pick the three Russian forms when the .mo carries the Russian rule.
            got = [_lookup(catalogue, entry, n) for n in (21, 22, 25)]
        else:
            got = [_lookup(catalogue, entry, None)]
        if got != entry.forms:
            stale.append(entry.label)
    assert not stale, f"run compilemessages: {len(stale)} entries differ in the .mo, e.g. {stale[:10]}"


def _lookup(catalogue, entry, n):
    if entry.msgid_plural and entry.msgctxt:
        return catalogue.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
    if entry.msgid_plural:
        return catalogue.ngettext(entry.msgid, entry.msgid_plural, n)
    if entry.msgctxt:
        return catalogue.pgettext(entry.msgctxt, entry.msgid)
    return catalogue.gettext(entry.msgid)


def test_english_catalogue_is_compiled():
    with ENGLISH_MO.open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    assert catalogue.info()["language"] == "en"


def test_django_picks_russian_plural_forms_at_run_time(russian):
    entry = next(entry for entry in russian[1:] if entry.msgid_plural and not entry.msgctxt)
    with translation.override("ru"):
        picked = [translation.ngettext(entry.msgid, entry.msgid_plural, n) for n in (1, 21, 3, 22, 5, 11, 12, 111)]
    one, few, many = entry.forms
    assert picked == [one, one, few, few, many, many, many, many]


SCRIPTS_AND_STYLES = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
READABLE_ATTRIBUTES = re.compile(r'\b(?:placeholder|title|aria-label|alt)="([^"]*)"')


def _visible_texts(body):
    body = SCRIPTS_AND_STYLES.sub(" ", body)
    texts = [html.unescape(text).strip() for text in re.split(r"<[^>]*>", body)]
    texts += [html.unescape(text).strip() for text in READABLE_ATTRIBUTES.findall(body)]
    return [text for text in texts if text]


def _english_left_over(response, russian):
    """Msgids of the rendered templates that still show in English."""
    templates = {f"templates/{template.name}" for template in response.templates if template.name}
    texts = _visible_texts(response.content.decode())
    page_text = "\n".join(texts)
    left = []
    for entry in russian[1:]:
        if not templates.intersection(entry.references) or entry.msgid in entry.forms:
            continue
        english = entry.msgid.replace("%%", "%")
        if english in texts or (len(english.split()) >= 3 and "%" not in english and english in page_text):
            left.append(english)
    return left


@pytest.mark.parametrize(
    ("url", "russian_words"),
    [
        ("/", ["Чем мы можем вам помочь?", "Мои обращения", "Частые вопросы"]),
        ("/help/", ["Чем мы можем вам помочь?", "Напишите нам", "Открыть форму обратной связи"]),
        ("/accounts/login/", ["Войти", "Пароль", "Зарегистрироваться"]),
    ],
)
def test_pages_render_in_russian(client, db, russian, url, russian_words):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="ru", follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="ru"' in body
    for words in russian_words:
        assert html.escape(words, quote=False) in body or words in html.unescape(body), words
    assert not _english_left_over(response, russian)


def test_english_is_still_offered(client, db):
    response = client.get("/help/", HTTP_ACCEPT_LANGUAGE="en")
    body = html.unescape(response.content.decode())
    assert '<html lang="en"' in body
    assert "How can we help you?" in body
