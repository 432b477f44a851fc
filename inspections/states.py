"""The inspection's state machine, in one table.

planned -> staffed -> performed -> documented -> closed; before the visit an inspection may
be cancelled (reason required) or recorded as not performed. Nothing leaves closed,
cancelled or not_performed.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from inspections.choices import InspectionStatus as S

TRANSITIONS = {
    S.PLANNED: {S.STAFFED, S.PERFORMED, S.CANCELLED, S.NOT_PERFORMED},
    S.STAFFED: {S.PLANNED, S.PERFORMED, S.CANCELLED, S.NOT_PERFORMED},
    S.PERFORMED: {S.DOCUMENTED},
    S.DOCUMENTED: {S.CLOSED},
    S.CLOSED: set(),
    S.CANCELLED: set(),
    S.NOT_PERFORMED: set(),
}
NEEDS_REASON = {S.CANCELLED, S.NOT_PERFORMED}


def check_transition(current: str, target: str, reason: str = "") -> None:
    """Raise a ValidationError that a person can read if `current -> target` is not allowed."""
    if S(target) not in TRANSITIONS[S(current)]:
        raise ValidationError(
            {
                "status": [
                    _("An inspection that is %(current)s cannot become %(target)s.")
                    % {"current": S(current).label.lower(), "target": S(target).label.lower()}
                ]
            }
        )
    if S(target) in NEEDS_REASON and not reason.strip():
        raise ValidationError({"reason": [_("Give a reason.")]})
