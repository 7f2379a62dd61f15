"""The category taxonomy of a government services portal: every category is a queue."""

from dataclasses import dataclass

from gosupport.models import Category


@dataclass(frozen=True)
class CategorySpec:
    slug: str
    title: str
    title_en: str
    parent: str | None = None
    is_complaint: bool = False


CATEGORIES = (
    CategorySpec("account-access", "Доступ к личному кабинету и пароли", "Account access and passwords"),
    CategorySpec("sms-codes", "SMS-коды и второй фактор", "SMS codes and second factor"),
    CategorySpec("identity", "Подтверждение личности", "Confirming identity"),
    CategorySpec("applications", "Статусы заявлений", "Application statuses"),
    CategorySpec("rejection-appeal", "Отказ и обжалование решения", "Rejection and appeal"),
    CategorySpec("documents", "Документы и форматы файлов", "Documents and file formats"),
    CategorySpec("forms", "Форма не отправляется", "Forms that will not submit"),
    CategorySpec("browser-app", "Браузер и мобильное приложение", "Browser and mobile app"),
    CategorySpec("e-signature", "Электронная подпись", "Electronic signature"),
    CategorySpec("payments", "Платежи, пошлины и возвраты", "Payments and refunds"),
    CategorySpec("appointments", "Запись на приём", "Appointments"),
    CategorySpec("processing-times", "Сроки рассмотрения", "Processing times"),
    CategorySpec("personal-data", "Персональные данные", "Personal data"),
    CategorySpec("general", "Другие вопросы", "Other questions"),
    CategorySpec("complaints", "Жалобы", "Complaints", is_complaint=True),
    CategorySpec(
        "complaint-service", "Жалоба на качество услуги", "Complaint about a service", "complaints", is_complaint=True
    ),
    CategorySpec(
        "complaint-centre",
        "Жалоба на работу центра обслуживания",
        "Complaint about a service centre",
        "complaints",
        is_complaint=True,
    ),
)


def categories_seed() -> dict[str, Category]:
    """Create or refresh the taxonomy; a supervisor's own categories are left alone."""
    seeded: dict[str, Category] = {}
    for ordering, spec in enumerate(CATEGORIES, start=1):
        category, _created = Category.objects.update_or_create(
            slug=spec.slug,
            defaults={
                "title": spec.title,
                "title_en": spec.title_en,
                "parent": seeded.get(spec.parent) if spec.parent else None,
                "is_complaint": spec.is_complaint,
                "is_active": True,
                "ordering": ordering * 10,
            },
        )
        seeded[spec.slug] = category
    return seeded
