"""What the bot must not handle itself: legal questions, personal-data requests,
complaints, an angry or desperate tone, or a plain request for a person."""

import re
from enum import StrEnum


class HandoffReason(StrEnum):
    ASKED_FOR_PERSON = "asked_for_person"
    LEGAL = "legal"
    PERSONAL_DATA = "personal_data"
    COMPLAINT = "complaint"
    DISTRESS = "distress"


# Stems, so that inflected forms match ("оператора", "оператором", "юристу").
RULES: tuple[tuple[HandoffReason, re.Pattern], ...] = tuple(
    (reason, re.compile(pattern, re.IGNORECASE))
    for reason, pattern in (
        (
            HandoffReason.LEGAL,
            r"\b(суд|иск|юрист|адвокат|прокурат|обжалова|досудебн|незаконн|lawyer|court|lawsuit|legal)",
        ),
        (
            HandoffReason.PERSONAL_DATA,
            r"(персональн\w* данн|152-?фз|удал\w* (мои|мой|мою|все) (данные|аккаунт|учетн|учётн)|утечк|personal data|delete my (data|account)|gdpr)",
        ),
        (HandoffReason.COMPLAINT, r"\b(жалоб|пожаловат|претензи|complain)"),
        (
            HandoffReason.DISTRESS,
            r"(безобрази|издевательств|сколько можно|достали|надоело|отвратительн|ужасн|нет сил|в отчаянии|отчаян|помогите[!.]*\s*$|"
            r"умоляю|беспредел|позор|idiots?|useless|disgusting|desperate|!!!)",
        ),
        (
            HandoffReason.ASKED_FOR_PERSON,
            r"\b(оператор|живо(й|го|му) (человек|сотрудник)|специалист|сотрудник|человек[ау]?\b|operator|human|agent|real person)",
        ),
    )
)


def _shouting(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 12 and sum(ch.isupper() for ch in letters) / len(letters) > 0.7


def handoff_reason(text: str) -> HandoffReason | None:
    """Why this message should go straight to a person, or None when the bot may answer."""
    for reason, pattern in RULES:
        if pattern.search(text):
            return reason
    if _shouting(text):
        return HandoffReason.DISTRESS
    return None
