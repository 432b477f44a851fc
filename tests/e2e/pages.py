"""Every HTML page of akrim, with the persona who may see it: the one list the accessibility
gate (tests/e2e/test_accessibility.py) and the no-raw-codes check (tests/test_no_raw_codes.py)
walk. `test_every_page_is_listed` compares it with the URL conf, so a new page without an
entry here (or in NOT_PAGES, with the reason) fails.

`build_world()` makes one small world with an object of each kind (through the services, as
people would), and each entry's `args(world)` gives the URL arguments into it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from cases.coordination import services as case_services
from cases.employers import services as employer_services
from cases.referrals import services as referral_services
from cases.tips import services as tip_services

PASSWORD = "demo-password-123"


@dataclass(frozen=True)
class Page:
    persona: str  # the username of one who may see it ("" = anonymous)
    args: Callable[[dict], list] = field(default=lambda world: [])
    query: str = ""

    def url(self, name: str, world: dict) -> str:
        return reverse(name, args=self.args(world)) + (f"?{self.query}" if self.query else "")


PAGES: dict[str, Page] = {
    # network
    "home": Page("av.coordinator"),
    "login": Page(""),
    "password_reset": Page(""),
    "password_reset_done": Page(""),
    "password_reset_complete": Page(""),
    "network:directory": Page("skv.staff"),
    "network:audit_list": Page("skv.auditor"),
    "network:audit_sample": Page("skv.auditor", query="n=3"),
    "network:token_list": Page("skv.staff"),
    # cases
    "cases:case_list": Page("skv.staff", query="sort=-updated"),  # a sorted list's headers
    "cases:case_create": Page("skv.staff"),
    "cases:case_detail": Page("skv.staff", lambda w: [w["case"]]),
    "cases:break_the_glass": Page("polis.staff"),
    "cases:review_list": Page("polis.auditor"),
    "referrals:referral_list": Page("polis.staff"),
    "referrals:referral_create": Page("polis.staff"),
    "referrals:referral_detail": Page("polis.staff", lambda w: [w["referral"]]),
    "tips:tip_form": Page(""),
    "tips:tip_list": Page("av.coordinator"),
    "tips:tip_detail": Page("av.coordinator", lambda w: [w["tip"]]),
    # inspections
    "inspections:inspection_list": Page("av.coordinator"),
    "inspections:inspection_calendar": Page("av.coordinator"),
    "inspections:inspection_create": Page("av.coordinator"),
    "inspections:operation_board": Page("av.coordinator"),
    "inspections:operation_cancel": Page("av.coordinator", lambda w: [w["operation"]]),
    "inspections:follow_up_list": Page("skv.staff"),
    "inspections:inspection_detail": Page("av.coordinator", lambda w: [w["inspection"]]),
    "inspections:inspection_cancel": Page("av.coordinator", lambda w: [w["planned_inspection"]]),
    "inspections:inspection_results": Page("skv.staff", lambda w: [w["inspection"]]),
    "inspections:inspection_import": Page("av.coordinator"),
    "inspections:import_job": Page("av.coordinator", lambda w: [w["import_job"]]),
    "inspections:risk_candidates": Page("av.coordinator"),
    "inspections:industry_risk": Page("av.coordinator"),
    "inspections:industry_risk_change": Page("av.coordinator", lambda w: [w["industry_risk"]]),
    "inspections:employer_profile": Page("av.coordinator", lambda w: [w["orgnr"]]),
    # reports
    "reports:report_home": Page("av.analyst"),
    "reports:build_detail": Page("av.analyst", lambda w: [w["build"]]),
    "reports:hit_rate": Page("av.analyst"),
    "reports:published_history": Page("av.analyst"),
    "reports:annual_report": Page("av.analyst", lambda w: [w["year"]]),
}

# Named URLs that are not pages a person reads, and why.
NOT_PAGES: dict[str, str] = {
    "two_factor_verify": "the code step of a login in progress (tests/e2e/test_two_factor_journey)",
    "two_factor_enrol": "first-login enrolment; covered by test_two_factor_journey",
    "logout": "POST only",
    "password_change": "not linked in akrim (admin only)",
    "password_change_done": "not linked in akrim (admin only)",
    "password_reset_confirm": "needs a mailed token (tests/network)",
    "health": "JSON for load balancers",
    "network:audit_review": "POST only",
    "inspections:import_checked": "POST only (imports a checked file)",
    "cases:case_export": "a CSV file",
    "cases:case_update": "POST only (the form is on the case page)",
    "cases:review_decide": "POST only",
    "cases:case_note": "POST only",
    "cases:case_attachment_upload": "POST only",
    "cases:case_attachment_download": "a file",
    "cases:case_share": "POST only (the form is on the case page)",
    "cases:case_grant": "POST only (the form is on the case page)",
    "cases:case_revoke_grant": "POST only",
    "cases:case_unshare": "POST only",
    "referrals:referral_reveal": "POST only",
    "referrals:referral_status": "POST only",
    "referrals:referral_withdraw_consent": "POST only",
    "referrals:referral_share": "POST only",
    "referrals:referral_note": "POST only",
    "referrals:referral_support": "POST only",
    "referrals:referral_reflection_apply": "POST only",
    "referrals:referral_reflection_decide": "POST only",
    "inspections:operation_status": "POST only",
    "inspections:operation_create": "POST only (the form is on the operations board)",
    "inspections:follow_up_complete": "POST only",
    "inspections:inspection_export": "a CSV file",
    "inspections:employer_link": "POST only",
    "inspections:attachment_upload": "POST only",
    "inspections:attachment_download": "a file",
    "inspections:inspection_respond": "POST only",
    "inspections:inspection_assign": "POST only",
    "inspections:inspection_perform": "POST only",
    "inspections:inspection_not_performed": "POST only",
    "inspections:inspection_close": "POST only",
    "inspections:decision_status": "POST only (the form is on the inspection page)",
    "inspections:inspection_submit_results": "POST only",
    "inspections:results_finding": "POST only (the form is on the results page)",
    "inspections:results_decision": "POST only (the form is on the results page)",
    "inspections:results_persons": "POST only (the form is on the results page)",
    "inspections:results_follow_up": "POST only (the form is on the results page)",
    "reports:request_build": "POST only",
    "reports:download": "a file (PDF, CSV, XLSX)",
    "reports:open_data": "public, only for a published report (axe: test_lagesbild_published_journey)",
    "reports:open_data_file": "a file (JSON, CSV, ZIP)",
    "inspections:employer_search": "JSON suggestions for the planning form's employer field",
    "inspections:inspection_not_reporting": "POST only",
    "inspections:results_visit": "POST only (the form is on the results page)",
    "inspections:results_submit": "POST only (the form is on the results page)",
}
# Whole parts of the URL conf that are not akrim's HTML: JSON, and Django's own admin.
NOT_PAGE_PREFIXES = ("api/", "admin/", "i18n/", "oidc/")


def named_urls() -> set[str]:
    """Every named URL of the site outside NOT_PAGE_PREFIXES, as "namespace:name"."""
    names: set[str] = set()

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if route.startswith(NOT_PAGE_PREFIXES):
                continue
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace
                ns = f"{namespace}:{inner}" if namespace and inner else inner or namespace
                walk(pattern.url_patterns, route, ns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, "", None)
    return names


def personas() -> list[str]:
    return sorted({page.persona for page in PAGES.values() if page.persona})


def build_world() -> dict:
    """The demo people plus one object of each kind the pages show."""
    from django.core.management import call_command

    from cases.grants import LegalBasis
    from inspections.models import IndustryRisk
    from inspections.services import decisions, follow_ups, lifecycle, operations, planning, results
    from network.models import Agency, County, User
    from network.services import create_staff
    from reports import services as reports

    call_command("seed_demo", "--password", PASSWORD, "--quiet", "--people-only")
    user = User.objects.get
    coordinator, skv, polis = (
        user(username="av.coordinator"),
        user(username="skv.staff"),
        user(username="polis.staff"),
    )
    if not User.objects.filter(username="av.admin").exists():
        create_staff(
            username="av.admin", agency_code="av", roles=["admin"], password=PASSWORD, actor=None
        )
    employer = employer_services.register_employer(
        orgnr="556036-0793", name="Bygg & Montage AB", actor=coordinator
    )
    today = timezone.localdate()
    inspection = planning.plan_inspection(
        workplace={
            "name": "Kvarteret Hagastaden, hus B",
            "address": "Hagagatan 1",
            "city": "Stockholm",
            "municipality": "0180",
            "county": "01",
            "sni": "41.200",
        },
        planned_date=today - timedelta(days=1),
        employers=[{"orgnr": employer.orgnr, "role": "employer"}],
        actor=coordinator,
    )
    for code, person in (("skv", skv), ("polis", polis)):
        assignment = planning.assign_agency(
            inspection, agency=Agency.objects.get(code=code), mode="on_site", actor=coordinator
        )
        planning.respond_to_assignment(assignment, accept=True, actor=person)
    lifecycle.perform_inspection(
        inspection, performed_on=today - timedelta(days=1), persons_checked=6, actor=skv
    )
    finding = results.record_finding(
        inspection, category="personalliggare_saknas", description="Ingen liggare", actor=skv
    )
    decisions.record_decision(
        finding, type="kontrollavgift", amount_sek=Decimal("12500"), actor=skv
    )
    follow_ups.add_follow_up(
        inspection, title="Begär underlag", due_date=today + timedelta(days=3), actor=skv
    )
    operation = operations.create_operation(
        title="Vårens byggkontroller",
        period_start=today,
        period_end=today + timedelta(days=60),
        selection_basis="risk_industry",
        actor=coordinator,
    )
    case = case_services.open_case(title="Byggfusk i Hagastaden", employer=employer, actor=skv)
    case_services.share_case(
        case,
        agency=Agency.objects.get(code="polis"),
        access="view",
        legal_basis=LegalBasis.AKRIM,
        reason="Gemensam kontroll",
        expires_at=timezone.now() + timedelta(days=5),
        actor=skv,
    )
    other_case = case_services.open_case(title="Lönefusk", actor=skv)
    case_services.break_the_glass(
        other_case,
        justification="Pågående förundersökning om människohandel på arbetsplatsen",
        actor=user(username="ebm.staff"),
    )
    referral = referral_services.create_referral(
        person={"sex": "female", "birth_year": 1990, "nationality": "UA"},
        receiving_body="polis",
        consent={"support": True, "sharing": False, "statistics": True},
        indicators=["retention_of_id_documents"],
        actor=polis,
    )
    tip = tip_services.submit_tip(
        data={
            "address": "Storgatan 1",
            "municipality": "Stockholm",
            "county": County.objects.get(code="01"),
            "industry": "restaurant",
            "employer_name": "Krogen AB",
            "description": "Personalen sover i köket och får ingen lön.",
            "observations": ["passports_kept"],
        }
    )
    # A control not yet visited: the one a coordinator may still cancel.
    planned_inspection = planning.plan_inspection(
        workplace={
            "name": "Restaurang Solen",
            "address": "Storgatan 1",
            "city": "Stockholm",
            "municipality": "0180",
            "county": "01",
            "sni": "56.100",
        },
        planned_date=today + timedelta(days=7),
        actor=coordinator,
    )
    year = today.year - 1 if today.month > 1 else today.year - 2
    build, _created = reports.request_build(
        year=year, actor=user(username="av.analyst"), enqueue=False
    )
    reports.run_build(build.pk)
    reports.get_or_create_report(year)
    import_job = _import_job(user(username="av.coordinator"))
    return {
        "case": case.pk,
        "inspection": inspection.pk,
        "planned_inspection": planned_inspection.pk,
        "operation": operation.pk,
        "referral": referral.pk,
        "tip": tip.pk,
        "build": build.pk,
        "year": year,
        "orgnr": employer.orgnr,
        "industry_risk": IndustryRisk.objects.order_by("pk").first().pk,
        "performed": date.today().isoformat(),
        "import_job": import_job.pk,
    }


def _import_job(coordinator):
    """A checked spreadsheet with one correct row and one wrong, as the worker leaves it."""
    from inspections import imports
    from inspections.models import ImportJob

    lines = [
        "arbetsställe;kommun;län;sni;datum;myndigheter",
        "Bygget Norr;0180;01;41.200;2030-05-02;skv:on_site, polis:desk",
        "Bygget Syd;0180;01;41.200;2030-13-02;skv:on_site",
    ]
    job = ImportJob.objects.create(
        requested_by=coordinator,
        agency=coordinator.agency,
        filename="plan.csv",
        data="\n".join(lines).encode(),
    )
    assert imports.claim_job(job.pk)
    imports.run_job(job.pk)
    return job
