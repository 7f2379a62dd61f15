"""Writes of staff accounts: operators and supervisors set up without the admin."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gosupport.models import AuditLog, Category, Line, OperatorProfile, Role, User


def staff_member_upsert(
    *,
    username: str,
    password: str,
    category_slugs: list[str] | None = None,
    line: int = Line.FIRST,
    supervisor: bool = False,
    senior: bool = False,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    """Create or update an operator (or a supervisor) who can sign in with `username`.

    With no categories the operator takes every queue. Running it again with other
    arguments updates the account; on any error nothing is stored."""
    username = username.strip()
    categories = _validate_staff_member(
        username=username, password=password, category_slugs=category_slugs or [], line=line, email=email
    )
    with transaction.atomic():
        user, created = User.objects.select_for_update().get_or_create(username=username)
        _apply_staff_role(user, supervisor=supervisor, first_name=first_name, last_name=last_name, email=email)
        user.set_password(password)
        user.save()
        _apply_operator_profile(user, categories=categories, line=line, senior=senior)
        AuditLog.objects.create(
            actor=None,
            action="staff_created" if created else "staff_updated",
            object_type="user",
            object_id=str(user.pk),
            fields=["role", "password", "skills", "line"],
            detail=f"role={user.role} line={line} categories={','.join(c.slug for c in categories) or '*'}",
        )
    return user


def _validate_staff_member(
    *, username: str, password: str, category_slugs: list[str], line: int, email: str
) -> list[Category]:
    errors: dict[str, list[str]] = {}
    if not username:
        errors["username"] = [_("Give a username.")]
    elif User.objects.filter(username=username, role=Role.CITIZEN).exists():
        errors["username"] = [_("This username belongs to a citizen's account; choose another one.")]
    if email and User.objects.filter(email__iexact=email.strip()).exclude(username=username).exists():
        errors["email"] = [_("Another account already uses this e-mail.")]
    if line not in Line.values:
        errors["line"] = [_("The line is 1 or 2.")]
    categories = list(Category.objects.filter(slug__in=category_slugs))
    unknown = sorted(set(category_slugs) - {category.slug for category in categories})
    if unknown:
        errors["categories"] = [_("Unknown categories: %(slugs)s.") % {"slugs": ", ".join(unknown)}]
    try:
        validate_password(password, User(username=username))
    except ValidationError as exc:
        errors["password"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return categories


def _apply_staff_role(user: User, *, supervisor: bool, first_name: str, last_name: str, email: str) -> None:
    user.role = Role.SUPERVISOR if supervisor else Role.OPERATOR
    user.is_staff = supervisor
    user.is_superuser = supervisor
    user.is_active = True
    user.first_name = first_name or user.first_name
    user.last_name = last_name or user.last_name
    user.email = (email or user.email).strip().lower()


def _apply_operator_profile(user: User, *, categories: list[Category], line: int, senior: bool) -> None:
    profile, _created = OperatorProfile.objects.get_or_create(user=user)
    profile.all_queues = not categories
    profile.line = line
    profile.is_senior = senior
    profile.save()
    profile.skills.set(categories)
