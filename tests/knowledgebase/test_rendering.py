import pytest

from knowledgebase.rendering import markdown_to_safe_html, markdown_to_text

ATTACKS = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    "<style>body{display:none}</style>",
    '<p onclick="alert(1)">x</p>',
    "<svg><script>alert(1)</script></svg>",
    "<scr<script>ipt>alert(1)</script>",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_no_script_survives_an_article(attack):
    html = markdown_to_safe_html(f"Текст\n\n{attack}\n\nЕщё текст").lower()
    for forbidden in ("<script", "onerror", "onclick", "javascript:", "<iframe", "<style", "<svg"):
        assert forbidden not in html


def test_markdown_keeps_what_a_citizen_needs():
    html = markdown_to_safe_html(
        "**Важно**\n\n1. Шаг\n2. Шаг\n\n[Закон](https://example.org/law)\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )
    assert "<strong>Важно</strong>" in html
    assert "<ol>" in html
    assert '<a href="https://example.org/law" rel="noopener noreferrer">Закон</a>' in html
    assert "<table>" in html


def test_plain_text_has_no_markup_and_no_script_text():
    assert markdown_to_text("**Пароль** <script>alert(1)</script> &amp; код") == "Пароль & код"


def test_article_page_shows_the_answer_sanitised(client, make_article):
    make_article("xss", "Вопрос", answer='Ответ <script>alert("x")</script> <img src=x onerror=alert(1)>')
    response = client.get("/help/faq/articles/xss/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "alert" not in body
    assert "Ответ" in body
