"""The Lägesbild's figures, aggregated in the database (GROUP BY, COUNT ... FILTER).

Every function here is a handful of aggregate queries, never a loop over rows. `compute`
returns the unsuppressed figures; `reports.suppression` decides what may be published.
The caller runs `compute` inside one snapshot (REPEATABLE READ on PostgreSQL) so that all
figures describe the same moment.
"""

from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, Sum, Value, When
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear, NullIf

from cases.referrals.models import VictimReferral
from cases.tips.models import Tip
from inspections.models import AgencyAssignment, Decision, Finding, Inspection
from network.models import Agency
from network.sni import section_expression

# The risk industries of the joint risk assessment (docs/risk.md) as SNI prefixes.
RISK_INDUSTRIES = [
    ("construction", ("41", "42", "43")),
    ("restaurants", ("56",)),
    ("cleaning", ("81.2",)),
    ("transport", ("49.4",)),
    ("beauty", ("96.02",)),
    ("car_care", ("45.2",)),
    ("care", ("86", "87", "88")),
    ("agriculture_forestry", ("01", "02")),
]
TREND_YEARS = 4


def _risk_expression(field: str):
    whens = []
    for name, prefixes in RISK_INDUSTRIES:
        condition = Q()
        for prefix in prefixes:
            condition |= Q(**{f"{field}__startswith": prefix})
        whens.append(When(condition, then=Value(name)))
    return Case(*whens, default=Value("other"), output_field=CharField())


def _breakdown(queryset, key: str) -> dict:
    return {
        str(row["key"]): row["n"]
        for row in queryset.values(key=F(key)).annotate(n=Count("id")).order_by("key")
        if row["key"] not in (None, "")
    }


def inspections_for(year: int, scope: str):
    return inspections_for_years(year, year, scope)


def compute(year: int, scope: str) -> dict:
    """Every figure of the report, unsuppressed."""
    base = inspections_for(year, scope)
    findings = Finding.objects.filter(inspection__in=base.values("pk"))
    decisions = Decision.objects.filter(finding__inspection__in=base.values("pk"))
    referrals = VictimReferral.objects.filter(created_at__year=year)
    if scope != "network":
        findings = findings.filter(agency__code=scope)
        decisions = decisions.filter(agency__code=scope)
        referrals = referrals.filter(referring_agency__code=scope)

    own_findings = Finding.objects.filter(inspection=OuterRef("pk"))
    if scope != "network":
        own_findings = own_findings.filter(agency__code=scope)
    totals = base.aggregate(
        total=Count("id"),
        with_findings=Count("id", filter=Q(Exists(own_findings))),
        persons=Coalesce(Sum("persons_checked"), 0),
    )
    by_agency_category: dict[str, dict[str, int]] = {}
    for row in findings.values("agency__code", "category").annotate(n=Count("id")):
        by_agency_category.setdefault(row["agency__code"], {})[row["category"]] = row["n"]
    decisions_by_type = {
        row["type"]: {"count": row["n"], "amount_sek": float(row["amount"] or 0)}
        for row in decisions.values("type")
        .annotate(n=Count("id"), amount=Sum("amount_sek"))
        .order_by("type")
    }
    # Share of inspections with findings, per agency taking part: two GROUP BYs (only an
    # agency that accepted may record findings, so its findings are within its inspections).
    taking_part = AgencyAssignment.objects.filter(
        inspection__in=base.values("pk"), status="accepted"
    )
    if scope != "network":
        taking_part = taking_part.filter(agency__code=scope)
    found_in = dict(
        findings.values("agency__code")
        .annotate(n=Count("inspection", distinct=True))
        .values_list("agency__code", "n")
    )
    per_agency = [
        {**row, "with_findings": found_in.get(row["agency__code"], 0)}
        for row in taking_part.values("agency__code")
        .annotate(inspections=Count("id"))
        .order_by("agency__code")
    ]
    trend = {
        str(row["year"]): row["n"]
        for row in inspections_for_years(year - TREND_YEARS, year, scope)
        .annotate(year=ExtractYear("performed_on"))
        .values("year")
        .annotate(n=Count("id"))
        .order_by("year")
    }
    return {
        "inspections_total": totals["total"],
        "inspections_by_county": _breakdown(base, "workplace__county__code"),
        "inspections_by_sni_section": _breakdown(
            base.annotate(section=section_expression("workplace__sni")), "section"
        ),
        "inspections_with_findings": totals["with_findings"],
        "findings_by_agency_category": by_agency_category,
        "decisions_by_type": decisions_by_type,
        "persons_checked_total": totals["persons"],
        "referrals_total": referrals.count(),
        "inspections_by_month": {
            f"{int(k):02d}": v
            for k, v in _breakdown(base.annotate(m=ExtractMonth("performed_on")), "m").items()
        },
        "inspections_by_centre": _breakdown(base, "workplace__county__centres__code"),
        "inspections_by_risk_industry": _breakdown(
            base.annotate(risk=_risk_expression("workplace__sni")), "risk"
        ),
        "inspections_with_findings_by_agency": {
            row["agency__code"]: {
                "inspections": row["inspections"],
                "with_findings": row["with_findings"],
            }
            for row in per_agency
        },
        "inspections_trend": {
            str(y): trend.get(str(y), 0) for y in range(year - TREND_YEARS, year + 1)
        },
        "inspections_by_selection_basis": _breakdown(
            base.annotate(basis=selection_basis_expression()), "basis"
        ),
        "inspections_with_findings_by_selection_basis": _breakdown(
            base.filter(Exists(own_findings)).annotate(basis=selection_basis_expression()),
            "basis",
        ),
        "inspections_with_findings_by_centre": _breakdown(
            base.filter(Exists(own_findings)), "workplace__county__centres__code"
        ),
        "tips_by_outcome": _breakdown(tips_for(year, scope), "outcome"),
    }


def selection_basis_expression():
    """Why an inspection was chosen: its own basis (set when planned from the risk ranking),
    else its operation's. Inspections outside any operation without one are left out."""
    return Coalesce(NullIf(F("selection_basis"), Value("")), F("operation__selection_basis"))


def hit_rates(figures: dict, key: str) -> dict:
    """Hit rate per group from published figures: the share of performed inspections with at
    least one finding. `key` is "selection_basis" or "centre". A rate is None when either of
    its counts is hidden (suppressed) or there is nothing to divide by."""
    totals = figures.get(f"inspections_by_{key}", {})
    found = figures.get(f"inspections_with_findings_by_{key}", {})
    rates = {}
    for group, n in totals.items():
        m = found.get(group, 0)
        rates[group] = {
            "inspections": n,
            "with_findings": m,
            "rate": None if n is None or m is None or n == 0 else m / n,
        }
    return rates


def tips_for(year: int, scope: str):
    """Tips received in the year; for one agency, those forwarded to it."""
    tips = Tip.objects.filter(received_at__year=year)
    return tips if scope == "network" else tips.filter(forwarded_to__code=scope)


def inspections_for_years(first: int, last: int, scope: str):
    """Inspections performed in those years; for one agency, those it took part in (accepted)
    or coordinated."""
    performed = Inspection.objects.filter(
        performed_on__year__gte=first, performed_on__year__lte=last
    )
    if scope == "network":
        return performed
    part = AgencyAssignment.objects.filter(
        inspection=OuterRef("pk"), agency__code=scope, status="accepted"
    )
    return performed.filter(Q(coordinating_agency__code=scope) | Exists(part))


def agency_names() -> dict[str, str]:
    return dict(Agency.objects.values_list("code", "name_sv"))
