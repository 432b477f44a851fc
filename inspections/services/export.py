"""The inspection list as CSV (network/exports.py), audited with the list's filters."""

from typing import Any

from django.db.models import QuerySet

from inspections.filters import InspectionFilterSet
from inspections.models import Inspection
from network import exports
from network.models import User
from network.querystring import audited_filters
from network.services import record_event


def export_inspections_csv(
    inspections: QuerySet[Inspection], *, actor: User, filters: dict[str, Any]
) -> str:
    """The visible inspections as CSV (network/exports.py); audited."""
    rows = [
        [
            inspection.reference,
            inspection.status,
            inspection.planned_date.isoformat(),
            inspection.performed_on.isoformat() if inspection.performed_on else "",
            inspection.workplace.name,
            inspection.workplace.city,
            inspection.workplace.county.code,
            inspection.workplace.sni,
            "" if inspection.persons_checked is None else inspection.persons_checked,
        ]
        for inspection in inspections.select_related("workplace__county")
        .order_by("-id")
        .iterator(chunk_size=500)
    ]
    record_event(
        "inspection.exported",
        actor=actor,
        object_type="inspections.inspection",
        # Only the list's own filters, bounded: the query string is the caller's text.
        changes={"filters": audited_filters(filters, InspectionFilterSet), "rows": len(rows)},
    )
    header = ["reference", "status", "planned_date", "performed_on", "workplace", "city"]
    return exports.csv_text([*header, "county", "sni", "persons_checked"], rows)
