"""API tokens (`Authorization: Token <key>`): the one lookup of a token's user, shared by the
REST API and the WebSockets.

Every API call starts here, so the lookup is one fixed statement: Django REST framework's
own `select_related` query cost more to compile than to run."""

from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from gosupport.crypto import EncryptedTextField
from gosupport.models import User

# The encrypted identifiers stay deferred: an API call seldom reads them, and one that does
# loads them on access (decrypted, like any deferred field).
_USER_FIELDS = [field for field in User._meta.concrete_fields if not isinstance(field, EncryptedTextField)]
_USER_ATTNAMES = [field.attname for field in _USER_FIELDS]
_CONVERTERS = [
    (index, field, converter)
    for index, field in enumerate(_USER_FIELDS)
    for converter in field.get_db_converters(connection)
]
_SQL = (
    f"SELECT {', '.join(f'u.{connection.ops.quote_name(field.column)}' for field in _USER_FIELDS)} "
    f"FROM {Token._meta.db_table} t JOIN {User._meta.db_table} u ON u.id = t.user_id WHERE t.key = %s"
)


def user_for_api_token(key: str) -> User | None:
    """The token's user, active or not; None for an unknown token."""
    with connection.cursor() as cursor:
        cursor.execute(_SQL, [key])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for index, field, converter in _CONVERTERS:  # what the ORM does on reading (a phone number)
        values[index] = converter(values[index], field, connection)
    return User.from_db(connection.alias, _USER_ATTNAMES, values)


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """DRF's token scheme (same header, same answers) over `user_for_api_token`;
    `request.auth` is the key."""

    def authenticate_credentials(self, key):
        user = user_for_api_token(key)
        if user is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return user, key
