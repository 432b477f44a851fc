"""Who may see and build the Lägesbild: role x relation x action -> answer."""

import pytest
from django.test import TestCase
from django.urls import reverse

from reports import services
from tests.conftest import Personas
from tests.matrix import Row, covers
from tests.worlds import built_once, files_in, fresh

pytestmark = pytest.mark.django_db

covers(
    models=["reports.reportbuild", "reports.annualreport"],
    routes=["report-list", "report-detail", "report-figures", "report-download"],
)


MATRIX = [
    # network builds: analysts and coordinators of the coordinating agency
    Row("av.analyst", "network", "list", 200),
    Row("av.analyst", "network", "detail", 200),
    Row("av.analyst", "network", "figures", 200),
    Row("av.analyst", "network", "download", 200),
    Row("av.analyst", "network", "html", 200),
    Row("av.coordinator", "network", "detail", 200),
    Row("av.coordinator", "network", "create", 202),
    # an agency's analyst: own builds only
    Row("skv.analyst", "network", "detail", 404),
    Row("skv.analyst", "network", "figures", 404),
    Row("skv.analyst", "network", "download", 404),
    Row("skv.analyst", "network", "html", 404),
    Row("skv.analyst", "own_agency", "detail", 200),
    Row("skv.analyst", "own_agency", "create", 202),
    Row("polis.analyst", "own_agency", "detail", 404),  # skv's own build
    # everyone else: nothing exists
    Row("skv.staff", "network", "list", 404),
    Row("skv.staff", "network", "create", 404),
    Row("skv.staff", "network", "detail", 404),
    Row("skv.staff", "network", "html", 404),
    Row("skv.coordinator", "network", "detail", 404),
    Row("av.staff", "network", "detail", 404),
    Row("av.auditor", "network", "figures", 404),
    Row("anonymous", "network", "list", 401),
    # the hit-rate dashboard (published figures only): analysts and coordinators
    Row("av.analyst", "network", "hit_rate", 200),
    Row("skv.analyst", "network", "hit_rate", 200),
    Row("av.coordinator", "network", "hit_rate", 200),
    Row("skv.coordinator", "network", "hit_rate", 200),
    Row("skv.staff", "network", "hit_rate", 403),
    Row("av.auditor", "network", "hit_rate", 403),
    Row("anonymous", "network", "hit_rate", 302),
    # published history: those who build the network's report enter it; others: 404
    Row("av.analyst", "network", "history", 200),
    Row("av.coordinator", "network", "history", 200),
    Row("skv.analyst", "network", "history", 404),
    Row("skv.staff", "network", "history", 404),
    Row("anonymous", "network", "history", 302),
    # open data: public once published; before, 404 for everyone
    Row("anonymous", "published", "open_data", 200),
    Row("skv.staff", "published", "open_data", 200),
    Row("anonymous", "network", "open_data", 404),
    Row("av.analyst", "network", "open_data", 404),
    Row("av.coordinator", "network", "open_data", 404),
]


def _build(persona):
    """Every persona of the matrix and the network's ready build of 2025 (as the `ready`
    fixture in tests/reports/conftest.py makes it), once for the module (tests/worlds.py)."""
    analyst = persona("av", "analyst")
    with TestCase.captureOnCommitCallbacks(execute=True):
        build, _created = services.request_build(year=2025, actor=analyst)
    build.refresh_from_db()
    assert build.status == "ready", build.error
    for name in sorted({row.persona for row in MATRIX} - {"anonymous"}):
        agency, role = name.split(".")
        persona(agency, role)
    return {"ready": build}


@pytest.fixture(scope="module")
def shared_world(request, django_db_setup, django_db_blocker, tmp_path_factory):
    files = tmp_path_factory.mktemp("report-files")
    with built_once(request, django_db_blocker, _build, STORAGES=files_in(files)) as w:
        yield w


@pytest.fixture
def private_storage():
    """Instead of tests/reports/conftest.py's storage per test: the module's storage
    (shared_world) holds the ready build's files."""


@pytest.fixture
def world(shared_world, db):
    return fresh(shared_world)


@pytest.fixture
def persona(world):
    return Personas(world["personas"])


@pytest.fixture
def ready(world):
    return world["ready"]


@pytest.mark.parametrize("row", MATRIX, ids=str)
def test_report_permission_matrix(row, persona, api, client, ready, monkeypatch):
    own = None
    if row.relation == "own_agency":
        own, _created = services.request_build(
            year=2025, scope="skv", actor=persona("skv", "analyst"), enqueue=False
        )
    build = own or ready
    if row.persona != "anonymous":
        agency, role = row.persona.split(".")
        user = persona(agency, role)
        api.as_user(type(user).objects.get(pk=user.pk))
        client.force_login(user)
    if row.action == "list":
        response = api.get(reverse("report-list"))
    elif row.action == "detail":
        response = api.get(reverse("report-detail", args=[build.pk]))
    elif row.action == "figures":
        response = api.get(reverse("report-figures", args=[build.pk]))
    elif row.action == "download":
        response = api.get(reverse("report-download", args=[build.pk]), {"format": "csv"})
    elif row.action == "html":
        response = client.get(reverse("reports:build_detail", args=[build.pk]))
    elif row.action == "hit_rate":
        monkeypatch.setattr("reports.views.HIT_RATE_CACHE_SECONDS", 0)
        response = client.get(reverse("reports:hit_rate"))
    elif row.action == "history":
        response = client.get(reverse("reports:published_history"))
    elif row.action == "open_data":
        if row.relation == "published":
            report = services.get_or_create_report(2025)
            analyst = persona("av", "analyst")
            for state in ("figures_frozen", "agency_review", "decided", "submitted", "published"):
                report = services.move_report(report, state=state, actor=analyst)
        response = client.get(reverse("reports:open_data_file", args=[2025, "totals.csv"]))
    elif row.action == "create":
        scope = "skv" if row.relation == "own_agency" else None
        body = {"year": 2024, **({"scope": scope} if scope else {})}
        response = api.post(reverse("report-list"), body, format="json")
    assert response.status_code == row.expected
