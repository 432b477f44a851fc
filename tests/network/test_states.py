"""One state-machine helper for every status that moves: the same check, the same wording."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from cases.coordination.services import CASE_STATES
from cases.referrals.services import REFERRAL_STATES
from cases.tips.states import TIP_STATES
from inspections.services.decisions import DECISION_STATES
from inspections.services.operations import OPERATION_STATES
from inspections.states import INSPECTION_STATES
from network.states import StateMachine
from reports.models import REPORT_STATES

MACHINES = {
    "case": CASE_STATES,
    "referral": REFERRAL_STATES,
    "inspection": INSPECTION_STATES,
    "operation": OPERATION_STATES,
    "decision": DECISION_STATES,
    "report": REPORT_STATES,
    "tip": TIP_STATES,
}


@pytest.mark.parametrize("name", MACHINES)
def test_every_declared_move_passes_and_every_other_is_refused_in_swedish(name):
    machine = MACHINES[name]
    states = list(machine.transitions)
    for current in states:
        for target in states:
            if target in machine.next_states(current):
                machine.check(current, target, reason="Ett skäl")
                continue
            with translation.override("sv"), pytest.raises(ValidationError) as refused:
                machine.check(current, target, reason="Ett skäl")
            (message,) = refused.value.message_dict[machine.field]
            assert message.startswith("Statusen kan inte ändras från ”")
            assert f"”{machine.label(target)}”" in message  # the name people see, not the code


def test_a_move_that_needs_a_reason_is_refused_without_one():
    with pytest.raises(ValidationError) as refused:
        INSPECTION_STATES.check("planned", "cancelled", reason="  ")
    assert "reason" in refused.value.message_dict
    INSPECTION_STATES.check("planned", "cancelled", reason="Polisen kunde inte delta")


def test_a_table_that_names_a_state_without_its_own_row_is_refused():
    with pytest.raises(ValueError, match="closed"):
        StateMachine({"open": {"closed"}})
    assert StateMachine({"open": {"closed"}, "closed": set()}).is_final("closed")
