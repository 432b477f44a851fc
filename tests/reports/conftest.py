from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse  # noqa: F401

from cases.employers import services as case_services
from inspections.services import decisions, lifecycle, operations, planning, results
from network.models import Agency
from reports import services
from tests.conftest import place


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }


@pytest.fixture
def av_analyst(persona):
    return persona("av", "analyst")


@pytest.fixture
def ready(av_analyst, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        build, _created = services.request_build(year=2025, actor=av_analyst)
    build.refresh_from_db()
    assert build.status == "ready", build.error
    return build


MAIN, SUB, THIRD = "5567000004", "5567000012", "5567000020"


@pytest.fixture
def known_year(persona):
    """2025: three performed inspections with two employers each (one in 2024), findings
    named on one of them, a fee in force and one withdrawn, a proposed injunction, a police
    report under the Aliens Act, person counts by two agencies, one campaign and the
    published history of 2017 and 2018."""
    av = persona("av", "coordinator")
    skv, polis = persona("skv", "staff"), persona("polis", "staff")
    for orgnr, name in ((MAIN, "Huvudentreprenör AB"), (SUB, "Underentreprenör AB"),
                        (THIRD, "Krogen AB")):  # fmt: skip
        case_services.register_employer(orgnr=orgnr, name=name, actor=av)
    campaign = operations.create_operation(
        title="Byggvecka mars",
        period_start=date(2025, 3, 1),
        period_end=date(2025, 3, 31),
        selection_basis="campaign",
        actor=av,
    )

    def control(workplace, when, employers, persons, operation=None):
        inspection = planning.plan_inspection(
            workplace=workplace,
            planned_date=when,
            employers=[{"orgnr": e, "role": "employer"} for e in employers],
            operation=operation,
            actor=av,
        )
        for code, user in (("skv", skv), ("polis", polis)):
            assignment = planning.assign_agency(
                inspection, agency=Agency.objects.get(code=code), mode="on_site", actor=av
            )
            planning.respond_to_assignment(assignment, accept=True, actor=user)
        lifecycle.perform_inspection(
            inspection, performed_on=when, persons_checked=persons, actor=skv
        )
        return inspection

    a = control(place("01", "0180", "41.200", "Bygget A"), date(2025, 3, 4), [MAIN, SUB], 5,
                campaign)  # fmt: skip
    b = control(place("01", "0182", "56.100", "Krogen B"), date(2025, 3, 20), [MAIN, THIRD], 7,
                campaign)  # fmt: skip
    c = control(place("12", "1280", "47.110", "Butiken C"), date(2025, 9, 1), [SUB], 3)
    control(place("14", "1480", "41.200", "Bygget D"), date(2024, 5, 5), [MAIN], 4)

    f1 = results.record_finding(a, category="personalliggare_saknas", employer=SUB, actor=skv)
    fee = decisions.record_decision(
        f1, type="kontrollavgift", amount_sek=Decimal("12500"), actor=skv
    )
    withdrawn = decisions.record_decision(
        f1, type="kontrollavgift", amount_sek=Decimal("10000"), actor=skv
    )
    decisions.change_decision_status(
        withdrawn, status="withdrawn", reason="Upphävd efter överklagande", actor=skv
    )
    f2 = results.record_finding(
        a, category="utan_arbetstillstand", employer="556700-0012", actor=polis
    )
    decisions.record_decision(f2, type="polisanmalan", law="utlanningslagen", actor=polis)
    f3 = results.record_finding(b, category="personalliggare_brist", employer=THIRD, actor=skv)
    decisions.record_decision(f3, type="forelaggande", status="proposed", actor=skv)
    results.record_finding(c, category="olaglig_vistelse", actor=polis)  # the one
    results.record_person_counts(
        a, counts=[{"right_to_work": "eu_eea_citizen", "nationality": "RO", "count": 4}], actor=skv
    )
    results.record_person_counts(
        a, counts=[{"right_to_work": "no_right_to_work", "nationality": "UA", "count": 2}],
        actor=polis,
    )  # fmt: skip
    results.record_person_counts(
        b, counts=[{"right_to_work": "valid_permit", "nationality": "ro", "count": 3}], actor=skv
    )
    results.record_person_counts(
        b, counts=[{"right_to_work": "staying_illegally", "nationality": "", "count": 1}],
        actor=polis,
    )  # fmt: skip
    analyst = persona("av", "analyst")
    for year, value in ((2017, 161), (2018, 1130)):
        services.save_published_figure(
            year=year, key="inspections_total", value=value, source="polisen.se", actor=analyst
        )
    return {"campaign": campaign, "fee": fee}
