"""The triage of a tip as a declared state machine (network/states.py; docs/architecture.md,
"State machines"): which decision may follow which. The tip page offers exactly the actions
whose target state follows the tip's outcome, and the services check the same table, so an
action that no longer applies is neither shown nor accepted."""

from cases.tips.models import TipOutcome as O
from network.states import StateMachine

TIP_STATES = StateMachine(
    {
        O.NEW: {O.DISMISSED, O.EMPLOYER_LINKED, O.CASE_CREATED, O.PROPOSED, O.FORWARDED},
        # Knowing the employer settles nothing yet: the tip still needs a decision.
        O.EMPLOYER_LINKED: {O.DISMISSED, O.CASE_CREATED, O.PROPOSED, O.FORWARDED},
        # A workplace proposed for a control may still turn out to be a case, another
        # agency's matter, or nothing.
        O.PROPOSED: {O.DISMISSED, O.CASE_CREATED, O.FORWARDED},
        O.CASE_CREATED: set(),
        O.FORWARDED: set(),
        O.DISMISSED: set(),
    },
    choices=O,
    field="outcome",
)

# Each triage action of the tip page and the API, and the outcome it leads to.
ACTION_OUTCOMES = {
    "case": O.CASE_CREATED,
    "propose": O.PROPOSED,
    "forward": O.FORWARDED,
    "employer": O.EMPLOYER_LINKED,
    "dismiss": O.DISMISSED,
}


def allowed_actions(tip) -> list[str]:
    """The triage actions that apply to the tip as it is now, in the page's order."""
    following = TIP_STATES.next_states(tip.outcome)
    return [
        action
        for action, outcome in ACTION_OUTCOMES.items()
        if outcome in following and not (action == "case" and tip.case_id is not None)
    ]
