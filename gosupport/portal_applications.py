"""The mirror of citizens' portal applications: the portal pushes each status change,
the citizen is told, and the bot and operators read it."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gosupport.models import PortalApplication, PortalApplicationEvent, User
from gosupport.notifications import notify_contact
from gosupport.privacy import users_find_by_identifier


def _citizen_by_contact(*, email: str, phone: str, snils: str) -> User:
    users = User.objects.none()
    if snils:
        users = users_find_by_identifier(field="snils", value=snils)
    elif email:
        users = User.objects.filter(email__iexact=email.strip())
    elif phone:
        users = User.objects.filter(phone=phone.strip())
    user = users.filter(is_active=True).first()
    if user is None:
        raise ValidationError({"citizen": _("No citizen account matches this SNILS, e-mail or phone.")})
    return user


def portal_application_sync(
    *,
    number: str,
    service: str,
    status: str,
    at: datetime,
    comment: str = "",
    citizen_email: str = "",
    citizen_phone: str = "",
    citizen_snils: str = "",
) -> tuple[PortalApplication, bool]:
    """Record one status change pushed by the portal; a repeated push changes nothing.
    Returns (application, whether this was news)."""
    citizen = _citizen_by_contact(email=citizen_email, phone=citizen_phone, snils=citizen_snils)
    with transaction.atomic():
        application, _created = PortalApplication.objects.select_for_update().get_or_create(
            number=number, defaults={"citizen": citizen, "service": service, "status": status, "status_changed_at": at}
        )
        if application.citizen_id != citizen.pk:
            raise ValidationError({"number": _("This application belongs to another citizen.")})
        try:
            with transaction.atomic():
                PortalApplicationEvent.objects.create(application=application, status=status, comment=comment, at=at)
        except IntegrityError:
            return application, False
        if at >= application.status_changed_at:
            application.service, application.status, application.status_changed_at = service, status, at
            application.save(update_fields=["service", "status", "status_changed_at"])
            _notify_status(application, citizen)
    return application, True


def _notify_status(application: PortalApplication, citizen: User) -> None:
    notify_contact(
        email=citizen.email,
        phone=str(citizen.phone) if citizen.phone else "",
        subject=_("Application %(number)s: %(status)s") % {"number": application.number, "status": application.status},
        body=_("The status of your application No. %(number)s (%(service)s) is now “%(status)s”.")
        % {"number": application.number, "service": application.service, "status": application.status},
        user=citizen,
        reference=application.number,
    )


def portal_application_of(*, user: User, number: str) -> PortalApplication | None:
    """The citizen's own application with that number, or None (never another's)."""
    return PortalApplication.objects.filter(citizen=user, number=number.strip()).prefetch_related("events").first()


def _export(user: User) -> list[dict]:
    return [
        {
            "number": application.number,
            "service": application.service,
            "status": application.status,
            "history": [
                {"at": e.at.isoformat(), "status": e.status, "comment": e.comment} for e in application.events.all()
            ],
        }
        for application in PortalApplication.objects.filter(citizen=user).prefetch_related("events")
    ]


def _erase(user: User) -> None:
    PortalApplication.objects.filter(citizen=user).delete()


def privacy_provider():
    from gosupport.privacy import PrivacyProvider

    return PrivacyProvider(name="portal_applications", export=_export, erase=_erase)
