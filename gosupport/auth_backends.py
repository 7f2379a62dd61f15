from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from phonenumber_field.phonenumber import PhoneNumber


def _as_phone(value: str) -> str | None:
    try:
        number = PhoneNumber.from_string(value, region="RU")
    except Exception:
        return None
    return str(number) if number.is_valid() else None


class PhoneOrEmailBackend(ModelBackend):
    """Signs in by username, e-mail or phone number with one password."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        user_model = get_user_model()
        query = Q(username=username) | Q(email__iexact=username)
        phone = _as_phone(username)
        if phone:
            query |= Q(phone=phone)
        user = user_model.objects.filter(query).order_by("id").first()
        if user is None:
            user_model().set_password(password)  # equalise timing with a real check
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
