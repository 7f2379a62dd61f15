import pytest

from chat.triage import HandoffReason, handoff_reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Соедините с оператором, пожалуйста", HandoffReason.ASKED_FOR_PERSON),
        ("можно живого человека?", HandoffReason.ASKED_FOR_PERSON),
        ("I want to talk to a human", HandoffReason.ASKED_FOR_PERSON),
        ("Собираюсь подавать в суд на ваше ведомство", HandoffReason.LEGAL),
        ("Как обжаловать отказ в выдаче загранпаспорта?", HandoffReason.LEGAL),
        ("Нужна консультация юриста", HandoffReason.LEGAL),
        ("Прошу удалить мои данные с портала", HandoffReason.PERSONAL_DATA),
        ("Кто обрабатывает мои персональные данные?", HandoffReason.PERSONAL_DATA),
        ("Хочу оставить жалобу на сотрудника МФЦ", HandoffReason.COMPLAINT),
        ("Хочу пожаловаться на работу центра", HandoffReason.COMPLAINT),
        ("Это безобразие, третий день не могу войти", HandoffReason.DISTRESS),
        ("Сколько можно ждать ответа", HandoffReason.DISTRESS),
        ("ПОЧЕМУ НИЧЕГО НЕ РАБОТАЕТ У ВАС", HandoffReason.DISTRESS),
        ("Я в отчаянии, пособие не приходит", HandoffReason.DISTRESS),
    ],
)
def test_sensitive_or_emotional_messages_go_to_a_person(text, reason):
    assert handoff_reason(text) == reason


@pytest.mark.parametrize(
    "text",
    [
        "Не приходит СМС с кодом",
        "Как поменять пароль от личного кабинета?",
        "Какие форматы файлов можно прикрепить к заявлению",
        "Где посмотреть статус заявления на загранпаспорт",
        "Не могу оплатить госпошлину картой",
        "Как записаться в МФЦ на получение паспорта",
    ],
)
def test_ordinary_questions_stay_with_the_bot(text):
    assert handoff_reason(text) is None
