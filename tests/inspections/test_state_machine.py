"""No illegal status change is possible, whatever order people act in.

A hypothesis state machine drives one inspection through the services (assign, answer,
perform, cancel, not performed, submit results, close) in random order, as the people
allowed to; after every step the status must be one the table allows from the one before,
and a refused step must change nothing.
"""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from inspections import states
from inspections.models import AgencyAssignment, Inspection
from inspections.services import lifecycle, planning, results
from network.models import Agency, User
from network.services import create_staff
from tests.inspections.conftest import WORKPLACE

AGENCIES = ["skv", "polis", "migr"]


class InspectionLifecycle(RuleBasedStateMachine):
    @initialize()
    def plan(self):
        self.users = {}
        for code, role in [("av", "coordinator"), *((c, "staff") for c in AGENCIES)]:
            name = f"sm.{code}.{role}"
            self.users[code] = User.objects.filter(username=name).first() or create_staff(
                username=name, agency_code=code, roles=[role], password="x" * 12, actor=None
            )
        self.inspection = planning.plan_inspection(
            workplace=WORKPLACE, planned_date=date.today(), actor=self.users["av"]
        )
        self.status = self.inspection.status

    def _attempt(self, action):
        before = Inspection.objects.get(pk=self.inspection.pk)
        try:
            with transaction.atomic():
                action()
        except (ValidationError, PermissionDenied, Http404):
            after = Inspection.objects.get(pk=self.inspection.pk)
            assert (after.status, after.version) == (before.status, before.version)
        after = Inspection.objects.get(pk=self.inspection.pk)
        if after.status != before.status:
            assert states.S(after.status) in states.TRANSITIONS[states.S(before.status)]
        self.status = after.status

    @rule(code=st.sampled_from(AGENCIES), mode=st.sampled_from(["on_site", "desk"]))
    def assign(self, code, mode):
        agency = Agency.objects.get(code=code)
        self._attempt(
            lambda: planning.assign_agency(
                self.inspection, agency=agency, mode=mode, actor=self.users["av"]
            )
        )

    @rule(code=st.sampled_from(AGENCIES), accept=st.booleans())
    def answer(self, code, accept):
        assignment = AgencyAssignment.objects.filter(
            inspection=self.inspection, agency__code=code
        ).first()
        if assignment is not None:
            self._attempt(
                lambda: planning.respond_to_assignment(
                    assignment,
                    accept=accept,
                    reason="" if accept else "Nej",
                    actor=self.users[code],
                )
            )

    @rule(who=st.sampled_from(["av", *AGENCIES]))
    def perform(self, who):
        self._attempt(
            lambda: lifecycle.perform_inspection(
                self.inspection,
                performed_on=date.today(),
                persons_checked=2,
                actor=self.users[who],
            )
        )

    @rule(reason=st.sampled_from(["", "Stängt"]))
    def cancel(self, reason):
        self._attempt(
            lambda: lifecycle.cancel_inspection(
                self.inspection, reason=reason, actor=self.users["av"]
            )
        )

    @rule(who=st.sampled_from(["av", *AGENCIES]))
    def not_performed(self, who):
        self._attempt(
            lambda: lifecycle.mark_not_performed(
                self.inspection, reason="Ingen på plats", actor=self.users[who]
            )
        )

    @rule(code=st.sampled_from(AGENCIES))
    def submit(self, code):
        self._attempt(lambda: results.submit_results(self.inspection, actor=self.users[code]))

    @rule()
    def close(self):
        self._attempt(lambda: lifecycle.close_inspection(self.inspection, actor=self.users["av"]))

    @invariant()
    def performed_means_a_date(self):
        if getattr(self, "inspection", None) is None:
            return
        stored = Inspection.objects.get(pk=self.inspection.pk)
        if stored.status in {"performed", "documented", "closed"}:
            assert stored.performed_on is not None


@pytest.mark.django_db
def test_no_illegal_transition_is_possible():
    InspectionLifecycle.TestCase.settings = settings(
        max_examples=25,
        stateful_step_count=20,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    # Examples share the test's transaction; each plans its own inspection, so they do not
    # interfere, and the whole lot is rolled back at the end of the test.
    InspectionLifecycle.TestCase("runTest").runTest()


def test_the_table_has_no_way_out_of_a_final_state():
    for final in ("closed", "cancelled", "not_performed"):
        assert states.TRANSITIONS[states.S(final)] == set()
