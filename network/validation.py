"""Small checks every domain's services share (see docs/architecture.md, "Services")."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import TextChoices
from django.utils.translation import gettext as _

from network.models import Agency, User


def require_member(actor: User) -> Agency:
    """The acting user's agency; a user without one may not create anything agency-owned."""
    agency = actor.agency
    if agency is None:
        raise PermissionDenied(_("Your account is not connected to an agency."))
    return agency


def known_codes(values: Iterable[str], choices: type[TextChoices], field: str) -> list[str]:
    """The given codes, sorted and without repeats, or a 400 naming `field` and the codes
    that are not among `choices`."""
    unknown = sorted(set(values) - set(choices.values))
    if unknown:
        raise ValidationError({field: [_("Unknown codes: %(c)s.") % {"c": ", ".join(unknown)}]})
    return sorted(set(values))
