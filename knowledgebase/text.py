"""Words and stems: the one place that decides how a text becomes searchable terms.

Stems come from the Snowball stemmers (the same algorithms PostgreSQL's `russian` and
`english` configurations use), so the SQLite fallback and the PostgreSQL search agree
on what "пароля" and "паролем" have in common.
"""

import re
from functools import lru_cache

import snowballstemmer

WORD_RE = re.compile(r"[0-9a-zа-я]+")
LATIN_RE = re.compile(r"[a-z]")
CYRILLIC_RE = re.compile(r"[а-я]")
MAX_WORD_LENGTH = 64

# Words that carry no meaning for finding an answer. Kept short on purpose: "не" and
# "нет" stay searchable because "не приходит код" differs from "приходит код".
STOPWORDS = {
    "ru": set(
        """
        а без более бы был была были было быть в вам вас ведь во вот все всё всего всех вы где да
        даже для до его ее её если есть еще ещё же за здесь и из или им их к как какая какие каким
        какой когда кто ли либо мне меня мной мне могу может можно мой моя мое моё мои мы на над надо
        наш нам нас о об однако он она они оно от очень по под пожалуйста при про с со так также
        такой там то тогда того тоже только том тот ту ты у уже хочу хотел хотела чего чем что чтобы
        эта эти это этот я ваш ваша ваше ваши мой свой своя свои здравствуйте добрый день подскажите
        скажите почему зачем сколько делать сделать нужно ли
        """.split()
    ),
    "en": set(
        """
        a an and are as at be been but by can could did do does for from had has have how i if in
        into is it its me my no of on or our please should so that the their them then there these
        they this to was we were what when where which who why will with would you your
        """.split()
    ),
}


def normalise(text: str) -> str:
    return text.lower().replace("ё", "е")


def words(text: str) -> list[str]:
    """Every word of the text, lower-cased, ё folded to е, in order."""
    return [w[:MAX_WORD_LENGTH] for w in WORD_RE.findall(normalise(text))]


def meaningful_words(text: str, lang: str) -> list[str]:
    stop = STOPWORDS.get(lang, set())
    return [w for w in words(text) if w not in stop and (len(w) > 1 or w.isdigit())]


def detect_language(text: str, default: str) -> str:
    """The language of the query by its script: citizens who type English get English articles."""
    lowered = normalise(text)
    latin, cyrillic = len(LATIN_RE.findall(lowered)), len(CYRILLIC_RE.findall(lowered))
    if latin > cyrillic:
        return "en"
    if cyrillic > latin:
        return "ru"
    return default


@lru_cache(maxsize=2)
def _stemmer(lang: str):
    return snowballstemmer.stemmer("english" if lang == "en" else "russian")


@lru_cache(maxsize=50_000)
def stem(word: str, lang: str) -> str:
    return _stemmer(lang).stemWord(word)


def stems(text: str, lang: str) -> list[str]:
    return [stem(w, lang) for w in meaningful_words(text, lang)]


def stem_field(text: str, lang: str) -> str:
    """Stems as stored on an article: space separated and padded, so `" stem "` matches a whole stem."""
    unique = dict.fromkeys(stems(text, lang))
    return f" {' '.join(unique)} " if unique else ""


def trigrams(word: str) -> set[str]:
    """Trigrams the way pg_trgm counts them: two spaces before the word, one after."""
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def trigram_similarity(a: str, b: str) -> float:
    ta, tb = trigrams(a), trigrams(b)
    return len(ta & tb) / len(ta | tb) if ta and tb else 0.0
