"""Checksums of Russian identifiers (python-stdnum) with messages a citizen understands."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.ru import inn as stdnum_inn


def normalise_inn(value: str) -> str:
    digits = "".join(ch for ch in value if ch.isdigit())
    try:
        return stdnum_inn.validate(digits)
    except StdnumError:
        raise ValidationError(_("This INN is not valid: check the digits."), code="invalid_inn") from None


def _snils_checksum(first_nine: str) -> int:
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, range(9, 0, -1), strict=True))
    while total > 101:
        total %= 101
    return 0 if total in (100, 101) else total


def normalise_snils(value: str) -> str:
    """SNILS: 11 digits, the last two a checksum of the first nine (weights 9..1, mod 101)."""
    digits = "".join(ch for ch in value if ch.isdigit())
    if len(digits) != 11 or _snils_checksum(digits[:9]) != int(digits[9:]):
        raise ValidationError(_("This SNILS is not valid: check the digits."), code="invalid_snils")
    return digits
