"""FAQ search latency at 10,000 articles on PostgreSQL: p50/p95 inside the process and
over HTTP (a WSGI server on 127.0.0.1 in a thread). Prints figures; asserts nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gs_kb_bench .venv/bin/python bench/kb_search.py

The database is migrated and filled once (the shipped FAQ plus generated articles that
recombine its sentences and words); later runs reuse it.
"""

import json
import os
import random
import statistics
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gosupport.settings")
os.environ.setdefault("AXES_ENABLED", "false")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import connection  # noqa: E402

from knowledgebase.models import Article  # noqa: E402
from knowledgebase.search import kb_search  # noqa: E402
from knowledgebase.services import kb_import  # noqa: E402

TARGET_ARTICLES = 10_000
RUNS = 300
QUERIES = [
    "забыл пароль", "не приходит смс", "пороль", "загранпаспорт документы", "как обжаловать отказ",
    "статус заявления не меняется", "вернуть госпошлину", "записаться в мфц", "файл не загружается",
    "электронная подпись плагин", "сколько ждать ответа", "forgot password", "приложение вылетает",
    "подтвердить личность", "форма не отправляется",
]  # fmt: skip


def fill() -> None:
    faq = json.loads((ROOT / "knowledgebase/fixtures/faq.json").read_text(encoding="utf-8"))
    have = Article.objects.count()
    if have >= TARGET_ARTICLES:
        return
    rng = random.Random(42)
    russian = [a for a in faq["articles"] if a["lang"] == "ru"]
    sentences = [s for a in russian for s in a["answer"].split("\n") if len(s) > 20]
    words = sorted({w for a in russian for w in a["question"].split()})
    # A real 10,000-article FAQ covers many topics: each generated article mixes a little
    # of the shipped FAQ's wording into text of its own (pseudo-words from a big lexicon).
    lexicon = [pseudo_word(rng) for _ in range(30_000)]
    generated = []
    for i in range(TARGET_ARTICLES - len(faq["articles"])):
        base = rng.choice(russian)
        question = " ".join(rng.sample(words, 2) + rng.sample(lexicon, 5))
        own = [" ".join(rng.sample(lexicon, 12)) + "." for _ in range(4)]
        answer = "\n\n".join([rng.choice(sentences), *own])
        keywords = rng.sample([k for a in russian for k in a["keywords"]], 1) + rng.sample(lexicon, 3)
        generated.append({"slug": f"gen-{i}", "section": base["section"], "question": question[:300],
                          "answer": answer, "keywords": keywords, "lang": "ru"})  # fmt: skip
    started = time.perf_counter()
    kb_import(data={"sections": faq["sections"], "articles": faq["articles"] + generated})
    print(f"filled {Article.objects.count()} articles in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:  # what autovacuum does in production after a bulk load
        cursor.execute("VACUUM ANALYZE knowledgebase_article")
        cursor.execute("VACUUM ANALYZE knowledgebase_term")


SYLLABLES = [c + v for c in "бвгдзклмнпрстфхцчшщ" for v in "аеиоуыяю"]


def pseudo_word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def report(name: str, samples: list[float]) -> None:
    ms = [s * 1000 for s in samples]
    print(f"{name:40} n={len(ms)} p50={statistics.median(ms):6.2f} ms  p95={percentile(ms, 0.95):6.2f} ms")


def in_process(log: bool) -> list[float]:
    samples = []
    for i in range(RUNS):
        query = QUERIES[i % len(QUERIES)]
        started = time.perf_counter()
        kb_search(query=query, limit=5, log=log)
        samples.append(time.perf_counter() - started)
    return samples


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def over_http() -> list[float]:
    server = make_server("127.0.0.1", 0, get_wsgi_application(), handler_class=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}/api/v1/kb/search/?"
    samples = []
    try:
        for i in range(RUNS):
            url = base + urllib.parse.urlencode({"q": QUERIES[i % len(QUERIES)]})
            started = time.perf_counter()
            with urllib.request.urlopen(url, timeout=10) as response:
                response.read()
            samples.append(time.perf_counter() - started)
    finally:
        server.shutdown()
    return samples


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database: the figure that matters is PostgreSQL's.")
    call_command("migrate", verbosity=0)
    fill()
    total = Article.objects.filter(is_published=True).count()
    print(f"PostgreSQL, {total} published articles, {len(QUERIES)} queries, {RUNS} runs each measurement")
    in_process(log=False)  # warm caches and connections
    report("kb_search in process (no log)", in_process(log=False))
    report("kb_search in process (with log row)", in_process(log=True))
    report("GET /api/v1/kb/search/ over HTTP", over_http())


if __name__ == "__main__":
    main()
