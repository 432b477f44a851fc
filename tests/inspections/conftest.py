from datetime import date, timedelta

import pytest
from django.utils import timezone

from cases.employers import services as employer_services
from inspections.services import lifecycle, planning
from network.models import Agency

WORKPLACE = {
    "name": "Kvarteret Hagastaden, hus B",
    "address": "Hagagatan 1",
    "city": "Stockholm",
    "municipality": "0180",
    "county": "01",
    "sni": "41.200",
    "workplace_type": "building_site",
}


@pytest.fixture
def employer(av_coordinator):
    return employer_services.register_employer(
        orgnr="556036-0793", name="Bygg & Montage AB", actor=av_coordinator
    )


@pytest.fixture
def plan(av_coordinator, employer):
    """plan(planned_date=None) -> an inspection coordinated by AV."""

    def make(planned_date=None, **workplace):
        return planning.plan_inspection(
            workplace={**WORKPLACE, **workplace},
            planned_date=planned_date or timezone.localdate() + timedelta(days=7),
            employers=[{"orgnr": employer.orgnr, "role": "subcontractor"}],
            actor=av_coordinator,
        )

    return make


@pytest.fixture
def assign(av_coordinator):
    def make(inspection, code, mode="on_site"):
        return planning.assign_agency(
            inspection, agency=Agency.objects.get(code=code), mode=mode, actor=av_coordinator
        )

    return make


@pytest.fixture
def joint(plan, assign, skv_staff, polis_staff):
    """A performed inspection with skv and polis on site (both accepted)."""
    inspection = plan()
    for code, user in (("skv", skv_staff), ("polis", polis_staff)):
        planning.respond_to_assignment(assign(inspection, code), accept=True, actor=user)
    lifecycle.perform_inspection(
        inspection, performed_on=date.today(), persons_checked=12, actor=skv_staff
    )
    inspection.refresh_from_db()
    return inspection
