"""`network.services.append_events` writes the events `build_event` makes of the same values,
in one insert (docs/performance.md, "d: case list")."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from network.middleware import request_context
from network.models import AuditEvent
from network.services import append_events, build_event

pytestmark = pytest.mark.django_db

FIELDS = [
    "actor_id",
    "actor_username",
    "agency_id",
    "agency_code",
    "action",
    "object_type",
    "object_id",
    "purpose",
    "request_id",
    "ip",
    "changes",
]

ROWS = [
    ("case.viewed", "cases.case", 7, "owner_agency", {"basis": "owner_agency", "route": "l"}),
    (
        "case.viewed",
        "cases.case",
        8,
        "share: samtycke",
        {"basis": "share", "legal_basis": "samtycke", "via": "share:3", "note": "ä ”x” \\ '"},
    ),
    ("tip.viewed", "tips.tip", "", "", {}),
]


@pytest.mark.parametrize("signed_in", [True, False])
def test_the_rows_are_what_build_event_makes(skv_staff, signed_in):
    actor = skv_staff if signed_in else None
    with request_context(request_id="req-1", ip="10.1.2.3"):
        with CaptureQueriesContext(connection) as captured:
            assert append_events(actor, ROWS) == 3
        expected = [
            build_event(a, actor=actor, object_type=t, object_id=i, purpose=p, changes=c)
            for a, t, i, p, c in ROWS
        ]
    assert len(captured.captured_queries) == 1
    written = list(AuditEvent.objects.order_by("id"))[-3:]
    for event, want in zip(written, expected, strict=True):
        assert {f: getattr(event, f) for f in FIELDS} == {f: getattr(want, f) for f in FIELDS}
    assert len({e.at for e in written}) == 1  # one read of a page, one time


def test_nothing_to_append_sends_nothing(skv_staff):
    with CaptureQueriesContext(connection) as captured:
        assert append_events(skv_staff, []) == 0
    assert captured.captured_queries == []
