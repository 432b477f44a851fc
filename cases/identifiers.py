"""Swedish organisation numbers, validated with python-stdnum.

An organisationsnummer has ten digits with a Luhn check digit, and its third digit is 2 or
more (which keeps it apart from personal identity numbers, whose third digit is a month).
A sole trader (enskild firma) uses the owner's personnummer instead; that is accepted and
flagged. Input may carry a dash, spaces, or the 12-digit forms (`16` + orgnr, or a
personnummer with century); the stored form is always the 10 digits.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
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
