"""The inspection's state machine, in one table (checked by network/states.py).

planned -> staffed -> performed -> documented -> closed; before the visit an inspection may
be cancelled (reason required) or recorded as not performed. Nothing leaves closed,
cancelled or not_performed.
"""

from inspections.choices import InspectionStatus as S
from network.states import StateMachine

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


INSPECTION_STATES = StateMachine(TRANSITIONS, choices=S, needs_reason=NEEDS_REASON)
