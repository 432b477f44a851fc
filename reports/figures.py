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
from inspections.choices import IN_FORCE, REPORTS_OF_CRIME
from inspections.models import (
    AgencyAssignment,
    ControlOperation,
    Decision,
    Finding,
    IndustryRisk,
    Inspection,
    InspectionEmployer,
    PersonCount,
)
from network.models import Agency
from network.sni import section_expression
from reports.suppression import CHANGE_KEYS, percent_changes

TREND_FIRST_YEAR = 2017  # the network's published series starts here (docs/reports.md)


def industry_groups() -> dict[str, dict]:
    """The risk table (`IndustryRisk`) as it stands now: recorded with the figures, so a
    frozen report keeps the grouping it was counted by."""
    return {
        row.key: {"sv": row.name_sv, "en": row.name_en, "sni_prefixes": list(row.sni_prefixes)}
        for row in IndustryRisk.objects.order_by("key")
    }


def _risk_expression(field: str, groups: dict[str, dict]):
    """The industry of an SNI code: the group with the most specific matching prefix."""
    prefixes = sorted(
        ((prefix, key) for key, group in groups.items() for prefix in group["sni_prefixes"]),
        key=lambda item: (-len(item[0]), item[0]),
    )
    whens = [When(**{f"{field}__startswith": prefix}, then=Value(key)) for prefix, key in prefixes]
    return Case(*whens, default=Value("other"), output_field=CharField())


def _sum_by(queryset, key: str, value: str = "count") -> dict:
    return {
        str(row["key"]): row["n"]
        for row in queryset.values(key=F(key)).annotate(n=Sum(value)).order_by("key")
        if row["key"] not in (None, "")
    }


def _breakdown(queryset, key: str) -> dict:
    return {
        str(row["key"]): row["n"]
        for row in queryset.values(key=F(key)).annotate(n=Count("id")).order_by("key")
        if row["key"] not in (None, "")
    }


def inspections_for(year: int, scope: str):
    return inspections_for_years(year, year, scope)


def _sources(year: int, scope: str):
    """The year's inspections and, of them, the findings, decisions (in force), person
    counts and referrals the scope counts."""
    base = inspections_for(year, scope)
    findings = Finding.objects.filter(inspection__in=base.values("pk"))
    decisions = Decision.objects.filter(
        finding__inspection__in=base.values("pk"), status__in=IN_FORCE
    )
    persons = PersonCount.objects.filter(inspection__in=base.values("pk"))
    referrals = VictimReferral.objects.filter(created_at__year=year)
    own_findings = Finding.objects.filter(inspection=OuterRef("pk"))
    if scope != "network":
        findings = findings.filter(agency__code=scope)
        decisions = decisions.filter(agency__code=scope)
        persons = persons.filter(agency__code=scope)
        referrals = referrals.filter(referring_agency__code=scope)
        own_findings = own_findings.filter(agency__code=scope)
    return base, findings, decisions, persons, referrals, own_findings


def totals(year: int, scope: str) -> dict:
    """The year's totals that a change from the previous year is given for: one aggregate
    query each over inspections, employers met, findings and referrals."""
    base, findings, _decisions, _persons, referrals, own_findings = _sources(year, scope)
    counted = base.aggregate(
        total=Count("id"),
        with_findings=Count("id", filter=Q(Exists(own_findings))),
        persons=Coalesce(Sum("persons_checked"), 0),
    )
    return {
        "inspections_total": counted["total"],
        "inspections_with_findings": counted["with_findings"],
        "employers_controlled": InspectionEmployer.objects.filter(
            inspection__in=base.values("pk")
        ).aggregate(n=Count("employer", distinct=True))["n"],
        "employers_with_findings": findings.filter(employer__isnull=False).aggregate(
            n=Count("employer", distinct=True)
        )["n"],
        "persons_checked_total": counted["persons"],
        "referrals_total": referrals.count(),
    }


def trend(year: int, scope: str) -> tuple[dict, dict]:
    """Inspections per year up to `year`: akrim's own count where it has any, else the
    published figure (network only); a year with neither is absent, never 0. Returns the
    counts and, per year, which source it is ("akrim" or "published")."""
    from reports.models import PublishedFigure

    own = {
        str(row["year"]): row["n"]
        for row in inspections_for_years(TREND_FIRST_YEAR, year, scope)
        .annotate(year=ExtractYear("performed_on"))
        .values("year")
        .annotate(n=Count("id"))
        .order_by("year")
    }
    published = (
        dict(
            PublishedFigure.objects.filter(key="inspections_total", year__lte=year)
            .values_list("year", "value")
            .order_by("year")
        )
        if scope == "network"
        else {}
    )
    counts, sources = {}, {}
    for y in sorted({*own, *map(str, published)}):
        if own.get(y):
            counts[y], sources[y] = own[y], "akrim"
        else:
            counts[y], sources[y] = published[int(y)], "published"
    return counts, sources


def previous_year_totals(year: int, scope: str) -> tuple[dict, dict]:
    """Last year's totals for the comparison: akrim's where it has inspections that year,
    else the published figure of that key where one is recorded; unknown ones are absent."""
    from reports.models import PublishedFigure

    own = totals(year - 1, scope)
    if own["inspections_total"]:
        return own, dict.fromkeys(own, "akrim")
    if scope != "network":
        return {}, {}
    published = dict(
        PublishedFigure.objects.filter(year=year - 1, key__in=CHANGE_KEYS).values_list(
            "key", "value"
        )
    )
    return published, dict.fromkeys(published, "published")


def compute(year: int, scope: str) -> dict:
    """Every figure of the report, unsuppressed."""
    base, findings, decisions, persons, referrals, own_findings = _sources(year, scope)
    counted = totals(year, scope)
    groups = industry_groups()
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
    counts_by_year, trend_sources = trend(year, scope)
    previous, previous_sources = previous_year_totals(year, scope)
    in_operations = (
        base.filter(operation__isnull=False)
        .values("operation__reference")
        .annotate(
            inspections=Count("id", distinct=True),
            with_findings=Count("id", distinct=True, filter=Q(Exists(own_findings))),
            employers=Count("inspectionemployer__employer", distinct=True),
        )
        .order_by("operation__reference")
    )
    reports_of_crime = decisions.filter(type__in=REPORTS_OF_CRIME)
    raw = {
        "inspections_total": counted["inspections_total"],
        "inspections_by_county": _breakdown(base, "workplace__county__code"),
        "inspections_by_sni_section": _breakdown(
            base.annotate(section=section_expression("workplace__sni")), "section"
        ),
        "inspections_with_findings": counted["inspections_with_findings"],
        "findings_by_agency_category": by_agency_category,
        "decisions_by_type": decisions_by_type,
        "persons_checked_total": counted["persons_checked_total"],
        "referrals_total": counted["referrals_total"],
        # Every month, those without inspections as 0 (the published tables show them).
        "inspections_by_month": {
            **{f"{m:02d}": 0 for m in range(1, 13)},
            **{
                f"{int(k):02d}": v
                for k, v in _breakdown(base.annotate(m=ExtractMonth("performed_on")), "m").items()
            },
        },
        "inspections_by_centre": _breakdown(base, "workplace__county__centres__code"),
        "inspections_by_risk_industry": _breakdown(
            base.annotate(risk=_risk_expression("workplace__sni", groups)), "risk"
        ),
        "inspections_with_findings_by_agency": {
            row["agency__code"]: {
                "inspections": row["inspections"],
                "with_findings": row["with_findings"],
            }
            for row in per_agency
        },
        "inspections_trend": counts_by_year,
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
        # Version 2: employers (companies) as the counting unit, people, campaigns, history.
        "employers_controlled": counted["employers_controlled"],
        "employers_with_findings": counted["employers_with_findings"],
        "employers_with_decision_by_type": {
            row["type"]: row["n"]
            for row in decisions.filter(finding__employer__isnull=False)
            .values("type")
            .annotate(n=Count("finding__employer", distinct=True))
            .order_by("type")
        },
        "reports_of_crime_by_law": _breakdown(reports_of_crime, "law"),
        "persons_counted_total": persons.aggregate(n=Coalesce(Sum("count"), 0))["n"],
        "persons_checked_by_agency": _sum_by(persons, "agency__code"),
        "persons_by_right_to_work": _sum_by(persons, "right_to_work"),
        "inspections_with_persons_by_right_to_work": {
            row["key"]: row["n"]
            for row in persons.values(key=F("right_to_work"))
            .annotate(n=Count("inspection", distinct=True))
            .order_by("key")
        },
        "persons_by_nationality": _sum_by(
            persons.annotate(land=Coalesce(NullIf(F("nationality"), Value("")), Value("unknown"))),
            "land",
        ),
        # Keyed by the operation's reference, as the contract says (docs/reports.md).
        "inspections_by_operation": {
            row["operation__reference"]: {
                "inspections": row["inspections"],
                "with_findings": row["with_findings"],
                "employers": row["employers"],
            }
            for row in in_operations
        },
        "previous_year_totals": previous,
        # Not counts: where each number comes from, and the grouping used.
        "inspections_trend_source": trend_sources,
        "previous_year_source": previous_sources,
        "industry_groups": groups,
        "operations": dict(
            ControlOperation.objects.filter(
                reference__in=[row["operation__reference"] for row in in_operations]
            ).values_list("reference", "title")
        ),
    }
    raw["change_from_previous_year"] = percent_changes(raw)
    return raw


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
