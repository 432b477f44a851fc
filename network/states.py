"""Declared state machines: which status may follow which, checked in one place with one
wording (see docs/architecture.md, "State machines").

A domain declares its table once, next to its services:

    CASE_STATES = StateMachine({OPEN: {IN_PROGRESS, CLOSED}, ...}, choices=CaseStatus)

and its service calls `CASE_STATES.check(current, target)` before it saves. Pages ask the same
object what to offer (`next_states`) and whether a state ends the path (`is_final`).
"""

from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db.models import TextChoices
from django.utils.translation import gettext as _


class StateMachine:
    def __init__[K: str](  # K: a TextChoices class's members are its own str subclass
        self,
        transitions: Mapping[K, Iterable[str]],
        *,
        choices: type[TextChoices] | None = None,
        field: str = "status",
        needs_reason: Iterable[str] = (),
    ):
        self.transitions = {
            str(state): {str(s) for s in nexts} for state, nexts in transitions.items()
        }
        unknown = {s for nexts in self.transitions.values() for s in nexts} - set(self.transitions)
        if unknown:
            raise ValueError(f"States without a row of their own: {sorted(unknown)}")
        self.choices = choices
        self.field = field
        self.needs_reason = {str(s) for s in needs_reason}

    def label(self, state: str) -> str:
        if self.choices is not None and state in self.choices.values:
            return str(self.choices(state).label)
        return str(state)

    def next_states(self, current: str) -> set[str]:
        return set(self.transitions.get(str(current), ()))

    def is_final(self, state: str) -> bool:
        return not self.transitions.get(str(state))

    def check(self, current: str, target: str, reason: str = "") -> None:
        """A ValidationError on the status field that a person can read when `current ->
        target` is not declared; on `reason` when the target needs one and none was given."""
        if str(target) not in self.next_states(current):
            raise ValidationError(
                {
                    self.field: [
                        _("The status cannot change from “%(current)s” to “%(target)s”.")
                        % {"current": self.label(current), "target": self.label(target)}
                    ]
                }
            )
        if str(target) in self.needs_reason and not (reason or "").strip():
            raise ValidationError({"reason": [_("Give a reason.")]})
