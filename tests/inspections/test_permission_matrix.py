"""Who may do what with a joint control: relation to the inspection x action -> answer.

The world: Arbetsmiljöverket coordinates a performed inspection in an operation. Skatteverket
is on site (accepted), Polisen on site (not yet answered), Migrationsverket at its desk
(accepted), Arbetsförmedlingen declined, Försäkringskassan is not involved. Skatteverket has
recorded one open finding (with a decision and a follow-up) and one secret finding.
"listed"/"hidden": a 200 list that does / does not contain the object.
"""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.employers import services as employer_services
from inspections.choices import categories_for
from inspections.services import (
    attachments,
    decisions,
    follow_ups,
    lifecycle,
    operations,
    planning,
    results,
)
from network.models import Agency
from tests.conftest import Personas
from tests.inspections.conftest import WORKPLACE
from tests.matrix import Row, covers
from tests.worlds import built_once, files_in, fresh

covers(
    models=[
        "inspections.inspection",
        "inspections.controloperation",
        "inspections.finding",
        "inspections.decision",
        "inspections.followup",
    ],
    routes=[
        "inspection-list",
        "inspection-detail",
        "inspection-import-file",
        "inspection-assignments",
        "inspection-respond",
        "inspection-perform",
        "inspection-findings",
        "inspection-decisions",
        "inspection-decision-status",
        "inspection-persons",
        "inspection-submit-results",
        "inspection-cancel",
        "inspection-not-performed",
        "inspection-close",
        "inspection-follow-ups",
        "finding-list",
        "finding-detail",
        "finding-disclose",
        "followup-list",
        "followup-detail",
        "followup-complete",
        "operation-list",
        "operation-detail",
        "operation-change-status",
        "inspection-attachments",
        "inspection-download-attachment",
        "inspection-export",
    ],
)

VIEWERS = {
    "coordinator": "av.coordinator",
    "on_site": "skv.staff",
    "pending": "polis.staff",
    "desk": "migr.staff",
    "declined": "af.staff",
    "unassigned": "fk.staff",
    "coordinating_staff": "av.staff",
    "other_coordinator": "ebm.coordinator",
}
VISIBLE = {"coordinator", "on_site", "pending", "desk"}
INVISIBLE = set(VIEWERS) - VISIBLE


def rows(action, expected_by_relation):
    return [Row(VIEWERS[r], r, action, expected_by_relation[r]) for r in VIEWERS]


def seen(visible_answer, hidden_answer=404):
    return {r: visible_answer if r in VISIBLE else hidden_answer for r in VIEWERS}


MATRIX = [
    *rows("detail", seen(200)),
    *rows("list", seen("listed", "hidden")),
    *rows("search", seen("listed", "hidden")),
    *rows("findings", seen(200)),
    *rows("finding_detail", seen(200)),
    *rows("finding_list", seen("listed", "hidden")),
    *rows("secret_finding_detail", {r: 200 if r == "on_site" else 404 for r in VIEWERS}),
    *rows("decisions", seen(200)),
    # Only staff of the decision's agency (Skatteverket) move it; others who see it: 403.
    *rows("decision_status", {**seen(403), "on_site": 200}),
    # The same in the browser (the form on the inspection page): 302 back to the page.
    *rows("html_decision_status", {**seen(403), "on_site": 302}),
    *rows("persons", seen(200)),
    *rows("follow_ups", seen(200)),
    *rows("followup_list", seen("listed", "hidden")),
    *rows("followup_detail", seen(200)),
    *rows("operation_list", seen("listed", "hidden")),
    *rows("operation_detail", seen(200)),
    *rows("assign", {**seen(403), "coordinator": 400}),  # 400: only before the visit
    *rows("perform", {**seen(400), "desk": 403, "pending": 403}),  # 400: already performed
    # Results come from agencies that accepted; Polisen has not answered yet.
    *rows("record_finding", {**seen(201), "coordinator": 403, "pending": 403}),
    *rows("submit_results", {**seen(200), "coordinator": 403, "pending": 403}),
    *rows("cancel", {**seen(403), "coordinator": 400}),  # 400: performed cannot be cancelled
    *rows("not_performed", {**seen(400), "desk": 403, "pending": 403}),
    *rows("close", {**seen(403), "coordinator": 400}),  # 400: not documented yet
    *rows("respond", {**seen(403), "pending": 400}),  # Polisen answers too late: performed
    *rows("complete_followup", {**seen(403), "on_site": 200}),
    *rows("disclose", {**seen(404), "on_site": 200}),  # the secret finding
    # Files and exports: the inspection's own scope; uploads from those taking part.
    *rows("attachments", seen(200)),
    *rows("download", seen(200)),
    *rows("html_download", seen(200)),
    *rows("export", seen("listed", "hidden")),
    *rows("html_export", seen("listed", "hidden")),
    *rows("upload", {**seen(201), "pending": 403}),
    # Importing is not about one inspection: coordinators may, nobody else.
    *rows(
        "import", {r: 202 if r in {"coordinator", "other_coordinator"} else 403 for r in VIEWERS}
    ),
    # The results page's visit form: the coordinator and the agency on site may record the
    # visit (400: it is already performed); a desk agency may not, nor one that has not
    # accepted (the results page is not theirs).
    *rows("html_results_visit", {**seen(403), "coordinator": 400, "on_site": 400}),
    # Only the coordinator stops waiting for an agency's results (Migrationsverket, desk).
    *rows("html_not_reporting", {**seen(403), "coordinator": 302}),
    # Cancelling an operation, on its confirmation page: its coordinators only (staff lack
    # the capability; another agency's coordinator does not see the operation).
    *rows(
        "html_operation_cancel",
        {**{r: 403 for r in VIEWERS}, "coordinator": 302, "other_coordinator": 404},
    ),
    # The inspection's cancel page: after the visit no one may cancel it, not even its
    # coordinator (403); before it, see test_views.py's cancel-page tests.
    *rows("html_inspection_cancel", seen(403)),
    # Only the coordinating agency's coordinators move the operation (it is planned).
    *rows("operation_status", {**seen(403), "coordinator": 200}),
    # Risk-based selection pages (inspections/risk_views.py): the employer's profile lists
    # the inspection only where it is visible; candidates are for coordinators, and list
    # the inspected workplace only for the agency that can see it; the risk table is read
    # by coordinators and analysts.
    *rows("html_profile", seen("listed", "hidden")),
    *rows(
        "html_candidates",
        {**{r: 403 for r in VIEWERS}, "coordinator": "listed", "other_coordinator": "hidden"},
    ),
    *rows(
        "html_industry_risk",
        {r: 200 if r in {"coordinator", "other_coordinator"} else 403 for r in VIEWERS},
    ),
    Row("skv.analyst", "on_site", "html_industry_risk", 200),
    Row("skv.analyst", "on_site", "html_profile", "hidden"),  # registry data only
    Row("anonymous", "unassigned", "html_candidates", 302),
    Row("skv.analyst", "on_site", "detail", 403),
    Row("skv.auditor", "on_site", "list", 403),
    Row("anonymous", "unassigned", "detail", 401),
]


def _build(persona):
    """The world above, built once for the module (tests/worlds.py)."""
    # As the `employer` fixture (tests/inspections/conftest.py) makes it.
    employer = employer_services.register_employer(
        orgnr="556036-0793",
        name="Bygg & Montage AB",
        actor=persona("av", "coordinator", centre="stockholm"),
    )
    coordinator = persona("av", "coordinator")
    operation = operations.create_operation(
        title="Byggvecka Stockholm",
        period_start=date.today() - timedelta(days=3),
        period_end=date.today() + timedelta(days=3),
        selection_basis="risk_industry",
        actor=coordinator,
    )
    inspection = planning.plan_inspection(
        workplace=WORKPLACE,
        planned_date=date.today(),
        employers=[employer.orgnr],
        operation=operation,
        actor=coordinator,
    )

    def assign(code, mode):
        return planning.assign_agency(
            inspection, agency=Agency.objects.get(code=code), mode=mode, actor=coordinator
        )

    skv = persona("skv", "staff")
    planning.respond_to_assignment(assign("skv", "on_site"), accept=True, actor=skv)
    polis_assignment = assign("polis", "on_site")
    planning.respond_to_assignment(
        assign("migr", "desk"), accept=True, actor=persona("migr", "staff")
    )
    planning.respond_to_assignment(
        assign("af", "on_site"), accept=False, reason="Ingen personal", actor=persona("af", "staff")
    )
    lifecycle.perform_inspection(
        inspection, performed_on=date.today(), persons_checked=9, actor=skv
    )
    finding = results.record_finding(inspection, category="personalliggare_saknas", actor=skv)
    secret = results.record_finding(inspection, category="svartarbete", secret=True, actor=skv)
    decision = decisions.record_decision(
        finding, type="kontrollavgift", amount_sek=12500, actor=skv
    )
    attachment = attachments.add_attachment(
        inspection, upload=SimpleUploadedFile("foto.png", b"\x89PNG\r\n\x1a\nxx"), actor=skv
    )
    follow_up = follow_ups.add_follow_up(
        inspection, title="Begär in underlag", due_date=date.today(), finding=finding, actor=skv
    )
    # Every persona the rows ask for, made after the world as the rows made them.
    for name in sorted({row.persona for row in MATRIX} - {"anonymous"}):
        agency, roles = name.split(".")
        persona(agency, *roles.split("-"))
    return {
        "inspection": inspection,
        "operation": operation,
        "finding": finding,
        "decision": decision,
        "secret": secret,
        "follow_up": follow_up,
        "polis_assignment": polis_assignment,
        "attachment": attachment,
    }


@pytest.fixture(scope="module")
def shared_world(request, django_db_setup, django_db_blocker, tmp_path_factory):
    files = tmp_path_factory.mktemp("inspection-files")
    with built_once(request, django_db_blocker, _build, STORAGES=files_in(files)) as w:
        yield w


@pytest.fixture
def world(shared_world, db):
    """This test's copy of the world; its writes end with its own transaction."""
    return fresh(shared_world)


@pytest.fixture
def persona(world):
    """The world's users, and any other user a row asks for (made in the test)."""
    return Personas(world["personas"])


def _perform(api, action, w, viewer_agency):
    i = w["inspection"]
    if action == "detail":
        return api.get(reverse("inspection-detail", args=[i.pk]))
    if action == "list":
        return api.get(reverse("inspection-list")), i.pk
    if action == "search":
        return api.get(reverse("inspection-list"), {"q": i.reference}), i.pk
    if action == "findings":
        return api.get(reverse("inspection-findings", args=[i.pk]))
    if action == "finding_detail":
        return api.get(reverse("finding-detail", args=[w["finding"].pk]))
    if action == "finding_list":
        return api.get(reverse("finding-list")), w["finding"].pk
    if action == "secret_finding_detail":
        return api.get(reverse("finding-detail", args=[w["secret"].pk]))
    if action == "decisions":
        return api.get(reverse("inspection-decisions", args=[i.pk]))
    if action == "decision_status":
        return api.post(
            reverse("inspection-decision-status", args=[i.pk, w["decision"].pk]),
            {"status": "appealed", "reason": "Överklagat till förvaltningsrätten"},
            format="json",
        )
    if action == "persons":
        return api.get(reverse("inspection-persons", args=[i.pk]))
    if action == "follow_ups":
        return api.get(reverse("inspection-follow-ups", args=[i.pk]))
    if action == "followup_list":
        return api.get(reverse("followup-list")), w["follow_up"].pk
    if action == "followup_detail":
        return api.get(reverse("followup-detail", args=[w["follow_up"].pk]))
    if action == "operation_list":
        return api.get(reverse("operation-list")), w["operation"].pk
    if action == "operation_status":
        return api.post(
            reverse("operation-change-status", args=[w["operation"].pk]), {"status": "in_progress"}
        )
    if action == "operation_detail":
        return api.get(reverse("operation-detail", args=[w["operation"].pk]))
    if action == "attachments":
        return api.get(reverse("inspection-attachments", args=[i.pk]))
    if action == "download":
        return api.get(reverse("inspection-download-attachment", args=[i.pk, w["attachment"].pk]))
    if action == "html_download":
        return api.client_for_html.get(
            reverse("inspections:attachment_download", args=[i.pk, w["attachment"].pk])
        )
    if action == "html_profile":
        return _Html(api.client_for_html.get(f"/kontroller/arbetsgivare/{WORLD_ORGNR}/"), i)
    if action == "html_candidates":
        query = {"centre": "stockholm", "industries": "construction", "period": ""}
        return _Html(api.client_for_html.get("/kontroller/urval/", query), i, workplace=True)
    if action == "html_operation_cancel":
        return api.client_for_html.post(
            reverse("inspections:operation_cancel", args=[w["operation"].pk]),
            {"reason": "Inga inspektörer lediga."},
        )
    if action == "html_inspection_cancel":
        return api.client_for_html.get(reverse("inspections:inspection_cancel", args=[i.pk]))
    if action == "html_results_visit":
        return api.client_for_html.post(
            reverse("inspections:results_visit", args=[i.pk]),
            {"performed_on": date.today().isoformat(), "persons_checked": "1"},
        )
    if action == "html_decision_status":
        return api.client_for_html.post(
            reverse("inspections:decision_status", args=[i.pk, w["decision"].pk]),
            {"status": "appealed", "reason": "Överklagat till förvaltningsrätten", "version": 1},
        )
    if action == "html_not_reporting":
        return api.client_for_html.post(
            reverse("inspections:inspection_not_reporting", args=[i.pk]),
            {"agency": "migr", "reason": "Handläggaren är sjuk."},
        )
    if action == "html_industry_risk":
        return api.client_for_html.get("/kontroller/urval/branscher/")
    if action in {"export", "html_export"}:
        url = (
            reverse("inspection-export")
            if action == "export"
            else reverse("inspections:inspection_export")
        )
        client = api if action == "export" else api.client_for_html
        response = client.get(url)
        return _CsvList(response, i.reference)
    if action == "upload":
        upload = SimpleUploadedFile("protokoll.pdf", b"%PDF-1.7 x")
        return api.post(
            reverse("inspection-attachments", args=[i.pk]), {"file": upload}, format="multipart"
        )
    if action == "import":
        upload = SimpleUploadedFile(
            "plan.csv",
            b"workplace;municipality;county;sni;planned_date\nX;0180;01;41.200;2026-05-01\n",
        )
        return api.post(
            reverse("inspection-import-file"), {"file": upload, "dry_run": True}, format="multipart"
        )
    if action == "assign":
        return api.post(
            reverse("inspection-assignments", args=[i.pk]),
            {"agency": "ebm", "mode": "desk"},
            format="json",
        )
    if action == "perform":
        return api.post(
            reverse("inspection-perform", args=[i.pk]),
            {"performed_on": date.today().isoformat(), "persons_checked": 1},
        )
    if action == "record_finding":
        category = categories_for(viewer_agency)[0]
        return api.post(reverse("inspection-findings", args=[i.pk]), {"category": category})
    if action == "submit_results":
        return api.post(reverse("inspection-submit-results", args=[i.pk]))
    if action == "cancel":
        return api.post(reverse("inspection-cancel", args=[i.pk]), {"reason": "Stängt"})
    if action == "not_performed":
        return api.post(reverse("inspection-not-performed", args=[i.pk]), {"reason": "Stängt"})
    if action == "close":
        return api.post(reverse("inspection-close", args=[i.pk]))
    if action == "respond":
        return api.post(
            reverse("inspection-respond", args=[i.pk, w["polis_assignment"].pk]), {"accept": True}
        )
    if action == "complete_followup":
        return api.post(reverse("followup-complete", args=[w["follow_up"].pk]))
    if action == "disclose":
        return api.post(
            reverse("finding-disclose", args=[w["secret"].pk]),
            {
                "agency": "polis",
                "legal_basis": "uppgiftsskyldighet_brottsbekampning",
                "reason": "Misstanke om brott på arbetsplatsen",
            },
        )
    raise AssertionError(action)


class _CsvList:
    """A CSV export answered like a list: (status, whether the reference is in it)."""

    def __init__(self, response, reference):
        self.status_code = response.status_code
        self.listed = reference in response.content.decode("utf-8-sig")


WORLD_ORGNR = "5560360793"  # the `employer` fixture, met at the inspection


class _Html:
    """An HTML page answered like a list: its status, and whether it shows the inspection
    (its reference, or its workplace's candidate card)."""

    def __init__(self, response, inspection, workplace=False):
        self.status_code, self.content = response.status_code, response.content
        needle = f'id="candidate-{inspection.workplace_id}"' if workplace else inspection.reference
        self.listed = needle in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("row", MATRIX, ids=str)
def test_inspection_permission_matrix(row, world, persona, api, client):
    agency = row.persona.split(".")[0]
    api.client_for_html = client
    if row.persona != "anonymous":
        user = persona(agency, *row.persona.split(".")[1].split("-"))
        api.as_user(type(user).objects.get(pk=user.pk))
        client.force_login(user)
    result = _perform(api, row.action, world, agency)
    if isinstance(result, _CsvList):
        assert result.status_code == 200
        assert result.listed == (row.expected == "listed")
        return
    if isinstance(result, _Html) and row.expected in {"listed", "hidden"}:
        assert result.status_code == 200
        assert result.listed == (row.expected == "listed")
        return
    response, wanted = result if isinstance(result, tuple) else (result, None)
    if row.expected in {"listed", "hidden"}:
        assert response.status_code == 200
        ids = {item["id"] for item in response.json()["results"]}
        assert (wanted in ids) == (row.expected == "listed")
    else:
        assert response.status_code == row.expected, response.content[:300]


@pytest.mark.django_db
def test_other_agencies_see_open_findings_but_never_the_secret_one(world, persona, api):
    for name in ("av.coordinator", "polis.staff", "migr.staff"):
        agency, role = name.split(".")
        client = api.as_user(persona(agency, role))
        listed = client.get(reverse("inspection-findings", args=[world["inspection"].pk])).json()
        assert [f["id"] for f in listed] == [world["finding"].pk], name
