"""Encryption of personal data at rest and keyed hashes for looking it up.

Keys come from settings (PD_ENCRYPTION_KEYS, PD_HASH_KEY), never from SECRET_KEY: rotating
the session secret must not make the stored INNs unreadable, and a leaked SECRET_KEY must
not decrypt them. The first encryption key encrypts, every listed key decrypts, so a new
key is put first, `rotate_pd_key` re-encrypts, and only then the old key is dropped.
"""

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@lru_cache(maxsize=4)
def _fernets(keys: tuple[str, ...]) -> tuple[Fernet, ...]:
    if not keys:
        raise ImproperlyConfigured("PD_ENCRYPTION_KEYS is empty: personal data cannot be encrypted.")
    try:
        return tuple(Fernet(key.strip().encode()) for key in keys)
    except ValueError:
        raise ImproperlyConfigured("PD_ENCRYPTION_KEYS holds a value that is not a Fernet key.") from None


def _configured_fernets() -> tuple[Fernet, ...]:
    return _fernets(tuple(settings.PD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    """Encrypt with the first key; an empty value stays empty (nothing to protect)."""
    if not value:
        return ""
    return _configured_fernets()[0].encrypt(value.encode()).decode("ascii")


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return MultiFernet(list(_configured_fernets())).decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeEncodeError):
        raise ImproperlyConfigured("A stored personal value cannot be decrypted with PD_ENCRYPTION_KEYS.") from None


def is_current(token: str) -> bool:
    """Whether the token is already encrypted with the first key (rotation skips it)."""
    if not token:
        return True
    try:
        _configured_fernets()[0].decrypt(token.encode("ascii"))
    except InvalidToken:
        return False
    return True


def reencrypt(token: str) -> str:
    """The same value under the first key; raises ImproperlyConfigured if no key opens it."""
    return encrypt(decrypt(token))


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 of a normalised value: equal values match, the table alone reveals nothing."""
    if not value:
        return ""
    return hmac.new(settings.PD_HASH_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text column stored as a Fernet token and read back as plain text.

    Tokens are randomised, so the column cannot be searched: equality lookups go through a
    keyed-hash column beside it. Every lookup but `isnull` is refused rather than silently
    matching nothing."""

    def from_db_value(self, value, expression, connection):
        return value if value is None else decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return value if value is None else encrypt(str(value))

    def get_lookup(self, lookup_name):
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None
