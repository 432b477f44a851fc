"""Swedish identifiers, validated with python-stdnum: organisation numbers and personal
identity numbers (personnummer, samordningsnummer).

An organisationsnummer has ten digits with a Luhn check digit, and its third digit is 2 or
more (which keeps it apart from personal identity numbers, whose third digit is a month).
A sole trader (enskild firma) uses the owner's personnummer instead; that is accepted and
flagged. Input may carry a dash, spaces, or the 12-digit forms (`16` + orgnr, or a
personnummer with century); the stored form is always the 10 digits.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import luhn
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.se import orgnr as stdnum_orgnr
from stdnum.se import personnummer

GROUP_DIGIT_FORMS = {
    "1": "dodsbo",
    "2": "offentlig",
    "3": "utlandsk",
    "5": "aktiebolag",
    "6": "enkelt_bolag",
    "7": "ekonomisk_forening",
    "8": "ideell_forening",
    "9": "handelsbolag",
}


@dataclass(frozen=True)
class PersonNumber:
    digits: str  # always 12, with the century
    kind: str  # "personnummer" or "samordningsnummer"
    birth_date: date


def parse_person_number(value: str) -> PersonNumber:
    """A personnummer or samordningsnummer (day + 60), with 10 or 12 digits, with or without
    the dash ('+' marks someone aged 100 or more). The Luhn check uses python-stdnum; the
    kind is recognised from the day, so a samordningsnummer is accepted as one."""
    raw = "".join(ch for ch in str(value) if not ch.isspace())
    digits = raw.replace("-", "").replace("+", "")
    if not digits.isdigit() or len(digits) not in (10, 12):
        raise ValidationError(_("Enter 10 or 12 digits, e.g. 19640823-3234."), code="format")
    ten = digits[-10:]
    if not luhn.is_valid(ten):
        raise ValidationError(_("The number is not valid (check digit)."), code="checksum")
    year2, month, day = int(ten[0:2]), int(ten[2:4]), int(ten[4:6])
    kind = "samordningsnummer" if day > 60 else "personnummer"
    real_day = day - 60 if day > 60 else day
    today = date.today()
    if len(digits) == 12:
        year = int(digits[:4])
    else:
        year = (today.year // 100) * 100 + year2
        if year > today.year:
            year -= 100
        if "+" in raw:
            year -= 100
    try:
        born = date(year, month, real_day)
    except ValueError:
        raise ValidationError(_("The number does not contain a valid date."), code="date") from None
    if born > today:
        raise ValidationError(_("The number does not contain a valid date."), code="date")
    return PersonNumber(f"{year:04d}"[:2] + ten, kind, born)


@dataclass(frozen=True)
class OrgNumber:
    digits: str  # always 10
    legal_form: str
    is_sole_trader: bool


def parse_orgnr(value: str) -> OrgNumber:
    """Validate and normalise; raises ValidationError with a message for the person."""
    raw = "".join(ch for ch in str(value) if not ch.isspace())
    compact = raw.replace("-", "").replace("+", "")
    if not compact.isdigit() or len(compact) not in (10, 12):
        raise ValidationError(
            _("Enter an organisation number with 10 digits, e.g. 556036-0793."), code="format"
        )
    if len(compact) == 12 and compact.startswith("16"):
        compact = compact[2:]
    if len(compact) == 10 and compact[2] >= "2":
        try:
            stdnum_orgnr.validate(compact)
        except StdnumError:
            raise ValidationError(
                _("The organisation number is not valid (check digit)."), code="checksum"
            ) from None
        return OrgNumber(compact, GROUP_DIGIT_FORMS.get(compact[0], "ovrig"), False)
    try:
        personnummer.validate(raw if len(compact) == 10 else compact)
    except StdnumError:
        raise ValidationError(
            _(
                "The number is neither a valid organisation number nor a valid personal "
                "identity number of a sole trader."
            ),
            code="invalid",
        ) from None
    return OrgNumber(compact[-10:], "enskild_firma", True)


def orgnr_digits(value: str) -> str | None:
    """The 10 stored digits of an organisation number, or None when it is not one: for
    filters, where a wrong number means "no match", not an error."""
    try:
        return parse_orgnr(value).digits
    except ValidationError:
        return None
