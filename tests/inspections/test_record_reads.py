"""The joint-control routes that show one record (tests/network/test_route_walk.py), requested
as a user authorised for it: each answers 200 and records what docs/access.md says for the
model (no read event per page for the agencies' own work; reading another agency's finding
is recorded as a disclosure)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from network.models import AuditEvent
from tests.network.test_route_walk import ONE, ROUTES


@pytest.mark.django_db
def test_joint_control_and_report_records_are_shown_by_the_rule(
    client, api, av_coordinator, joint, persona
):
    from inspections.services import follow_ups, results

    polis = persona("polis", "staff")
    finding = results.record_finding(joint, category="utan_arbetstillstand", actor=polis)
    follow_up = follow_ups.add_follow_up(
        joint, title="Återbesök", due_date=date.today() + timedelta(days=7), actor=av_coordinator
    )
    client.force_login(av_coordinator)
    shown = [
        ("inspections:inspection_detail", [joint.pk], client),
        ("inspections:inspection_results", [joint.pk], client),
        ("inspection-detail", [joint.pk], api.as_user(av_coordinator)),
        ("finding-detail", [finding.pk], api.as_user(av_coordinator)),
        ("followup-detail", [follow_up.pk], api.as_user(av_coordinator)),
    ]
    for name, args, http in shown:
        assert ROUTES[name] == ONE
        before = AuditEvent.objects.exclude(action="finding.viewed").count()
        response = http.get(reverse(name, args=args))
        assert response.status_code == 200, name
        # The agencies' own joint-control work: no read event per page (docs/access.md);
        # reading another agency's finding is the one disclosure recorded.
        assert AuditEvent.objects.exclude(action="finding.viewed").count() == before, name
    assert AuditEvent.objects.filter(action="finding.viewed", actor=av_coordinator).exists()
