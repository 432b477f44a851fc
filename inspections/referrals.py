"""Referrals made at an inspection: the resolver the cases app calls (cases/referrals/origins.py)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from inspections.models import Inspection


def resolve_inspection(user, inspection_id) -> str:
    """The reference of an inspection the user may see; otherwise a field error (the same
    for one that does not exist, so nothing about unseen controls is revealed)."""
    inspection = Inspection.objects.visible_to(user).filter(pk=inspection_id).first()
    if inspection is None:
        raise ValidationError({"inspection": [_("No such inspection.")]})
    return inspection.reference
