"""Every write to the employer registry: atomic, audited, with the acting user as `actor`."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cases.employers.models import Employer
from network.identifiers import parse_orgnr
from network.models import User
from network.services import record_event


@transaction.atomic
def register_employer(
    *,
    orgnr: str,
    name: str,
    sni_codes: Iterable[str] = (),
    street_address: str = "",
    postal_code: str = "",
    city: str = "",
    phone: str = "",
    actor: User,
) -> Employer:
    """Register an employer by organisation number (or a sole trader's personnummer)."""
    try:
        number = parse_orgnr(orgnr)
    except ValidationError as exc:
        raise ValidationError({"orgnr": exc.messages}) from None
    if not name.strip():
        raise ValidationError({"name": [_("Enter the employer's name.")]})
    if Employer.objects.filter(orgnr=number.digits).exists():
        raise ValidationError({"orgnr": [_("An employer with this number is already registered.")]})
    employer = Employer.objects.create(
        orgnr=number.digits,
        name=name.strip(),
        legal_form=number.legal_form,
        is_sole_trader=number.is_sole_trader,
        sni_codes=list(sni_codes),
        street_address=street_address,
        postal_code=postal_code,
        city=city,
        phone=phone.strip(),
        created_by=actor,
    )
    record_event("employer.created", actor=actor, obj=employer)
    return employer
