"""Risk ranking of candidate workplaces for a coming control operation.

The network controls workplaces "where we assess that there is a risk of work-life crime".
This module turns what akrim holds into a ranked list a coordinator can read and argue with:
every candidate carries the factors that produced its score, each factor's points, and the
counts behind them. No black box, no randomness that is not seeded: the same data and the
same request give the same list.

Scope. The universe is the workplaces of the centre where the coordinator's agency can see
at least one inspection; every factor counts only what the coordinator may see
(`visible_to`), except one: *signals from another agency*, a bare count of non-secret
findings from joint controls the coordinator cannot see, given only to network agencies
(the duty to share for joint workplace controls) and never with the records behind it.

Points (a workplace, as of the first day of the period):

| factor | points | cap |
|---|---|---|
| industry | weight of the most specific risk-table row (0–10) × 10 | 100 |
| findings | per finding here: high 20, medium 10, low 5; × 1 within a year, ½ within three, ¼ older | 100 |
| decisions | per decision on those findings: 10 × the same recency | 60 |
| tips | per open tip (not dismissed, two years) naming an employer met here or this address: 15 | 45 |
| last control | never 30; ≥3 years 30; 2–3 years 20; 1–2 years 10; within a year 0 | 30 |
| linked employers | per employer met here with findings at another workplace: 10 | 30 |
| signals | per non-secret finding from another agency's joint control here: 5 | 25 |

The score is the sum. The whole list is computed in one SQL statement (CTEs grouped per
workplace, then joined), because a centre may hold 100,000 workplaces: counting in Python,
or a correlated subquery per workplace, would not answer within a second (bench/risk.py).
Points are computed in quarter points (integers) so that the parts sum exactly to the score.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cases.employers.models import Employer
from cases.tips.models import EmployerLink, Tip
from inspections import facts
from inspections.choices import SelectionBasis
from inspections.models import (
    IndustryRisk,
    Inspection,
    InspectionEmployer,
    RankingEmployerFact,
    RankingFact,
    Workplace,
)
from network.models import Centre

QUARTERS = 4  # quarter points per point
SEVERITY_POINTS = {"high": 20, "medium": 10, "low": 5}
DECISION_POINTS = 10
TIP_POINTS, TIP_YEARS = 15, 2
LINKED_POINTS = 10
SIGNAL_POINTS = 5
CAPS = {
    "industry": 100,
    "findings": 100,
    "decisions": 60,
    "tips": 45,
    "last_control": 30,
    "linked_employers": 30,
    "signals": 25,
}
FACTOR_LABELS = {
    "industry": gettext_lazy("Industry risk"),
    "findings": gettext_lazy("Findings in earlier controls"),
    "decisions": gettext_lazy("Decisions in earlier controls"),
    "tips": gettext_lazy("Open tips"),
    "last_control": gettext_lazy("Time since the last control"),
    "linked_employers": gettext_lazy("Employers with findings elsewhere"),
    "signals": gettext_lazy("Signals from another agency"),
}
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
DEFAULT_RANDOM_SHARE = 0.2
SNI_PREFIX = re.compile(r"^[0-9]{2}(\.[0-9]{1,3})?$")


@dataclass(frozen=True)
class Request:
    centre: Centre
    prefixes: tuple[str, ...]  # focus industries as SNI prefixes; empty: every industry
    start: date
    end: date
    limit: int = DEFAULT_LIMIT
    random_share: float = DEFAULT_RANDOM_SHARE

    @property
    def seed(self) -> int:
        """The random draw's seed: the same request draws the same workplaces."""
        text = f"{self.centre.code}|{','.join(self.prefixes)}|{self.start}|{self.end}"
        return sum((i + 1) * ord(c) for i, c in enumerate(text)) % 1_000_003


@dataclass
class Factor:
    key: str
    points: float
    detail: dict

    @property
    def label(self) -> str:
        return str(FACTOR_LABELS[self.key])

    @property
    def explanation(self) -> str:
        return explain(self.key, self.detail)


@dataclass
class Candidate:
    rank: int
    workplace: Workplace
    score: float
    basis: str  # SelectionBasis: risk ranking or random within risk industry
    factors: list[Factor]
    industry: IndustryRisk | None
    employers: list[Employer] = field(default_factory=list)

    @property
    def basis_label(self) -> str:
        return str(SelectionBasis(self.basis).label)


# --- parsing a request ----------------------------------------------------------------------


def parse_period(text: str, today: date) -> tuple[date, date]:
    """'2026-12-01/2026-12-31', '2026-12' or '2026'; empty: the coming 30 days."""
    text = (text or "").strip()
    try:
        if not text:
            return today, today + timedelta(days=30)
        if "/" in text:
            first, last = (date.fromisoformat(p.strip()) for p in text.split("/", 1))
        elif re.fullmatch(r"\d{4}-\d{2}", text):
            year, month = map(int, text.split("-"))
            first = date(year, month, 1)
            last = (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)
        elif re.fullmatch(r"\d{4}", text):
            first, last = date(int(text), 1, 1), date(int(text), 12, 31)
        else:
            first = last = date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            {"period": [_("Give the period as 2026-12, 2026 or 2026-12-01/2026-12-31.")]}
        ) from None
    if last < first:
        raise ValidationError({"period": [_("The period ends before it starts.")]})
    return first, last


def parse_industries(values) -> tuple[str, ...]:
    """Risk-table keys ('construction') or SNI prefixes ('43.2') -> SNI prefixes."""
    tokens = [t.strip() for v in values for t in str(v).split(",") if t.strip()]
    table = {row.key: row.sni_prefixes for row in IndustryRisk.objects.all()}
    prefixes, unknown = [], []
    for token in tokens:
        if token in table:
            prefixes.extend(table[token])
        elif SNI_PREFIX.match(token):
            prefixes.append(token)
        else:
            unknown.append(token)
    if unknown:
        raise ValidationError(
            {
                "industries": [
                    _("Unknown industry: %(names)s. Use a key of the risk table or an SNI code.")
                    % {"names": ", ".join(unknown)}
                ]
            }
        )
    return tuple(sorted(set(prefixes)))


def build_request(
    *, centre: str, industries=(), period: str = "", limit=None, random_share=None, today: date
) -> Request:
    errors: dict[str, list[str]] = {}
    found = Centre.objects.filter(code=centre).first() if centre else None
    if found is None:
        errors["centre"] = [_("Choose a regional centre.")]
    try:
        prefixes = parse_industries(industries)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        prefixes = ()
    try:
        start, end = parse_period(period, today)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        start = end = today
    try:
        limit = int(limit) if limit not in (None, "") else DEFAULT_LIMIT
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError
    except ValueError:
        errors["limit"] = [_("Give a number from 1 to %(max)s.") % {"max": MAX_LIMIT}]
    try:
        share = float(random_share) if random_share not in (None, "") else DEFAULT_RANDOM_SHARE
        if not 0 <= share <= 1:
            raise ValueError
    except ValueError:
        errors["random_share"] = [_("Give a share from 0 to 1.")]
    if errors or found is None:  # no centre: named in `errors`
        raise ValidationError(errors)
    return Request(found, prefixes, start, end, limit, share)


# --- the ranking ---------------------------------------------------------------------------


def _sql(queryset) -> tuple[str, tuple]:
    sql, params = queryset.query.sql_with_params()
    return sql, tuple(params)


def _industry_case(rows: list[IndustryRisk]) -> tuple[str, list]:
    """CASE over the risk table, most specific prefix first: the workplace's weight."""
    pairs = sorted(
        ((prefix, row) for row in rows for prefix in row.sni_prefixes),
        key=lambda pair: (-len(pair[0]), pair[0]),
    )
    if not pairs:
        return "0", []
    sql = "CASE " + " ".join("WHEN w.sni LIKE %s THEN %s" for _ in pairs) + " ELSE 0 END"
    params: list = []
    for prefix, row in pairs:
        params += [f"{prefix}%", row.weight]
    return sql, params


def _capped(expression: str, cap: int) -> str:
    return (
        f"(CASE WHEN {expression} > {cap * QUARTERS} THEN {cap * QUARTERS} ELSE {expression} END)"
    )


def _recency(column: str) -> str:
    """Quarter weights of an earlier control: 4 within a year, 2 within three, else 1."""
    return f"(CASE WHEN {column} >= %s THEN 4 WHEN {column} >= %s THEN 2 ELSE 1 END)"


def _scope(request: Request, user, county_ids: list[int]) -> dict[str, tuple[str, tuple]]:
    """What the ranking reads, as SQL from the scope querysets themselves (`visible_to`):
    the ranking facts of the centre's inspections the user may see (inspections/facts.py:
    the inspections, readable findings and decisions of `visible_to`, counted), the
    employers met at them, and the visible open tips. The one unscoped read, the network
    rows of joint controls, leaves the database only as a count per workplace."""
    as_of = request.start
    in_centre = {"county_id__in": county_ids}
    queries = {
        "vi": RankingFact.objects.visible_to(user)
        .filter(**in_centre)
        .order_by()
        .values(
            "workplace_id",
            "sni",
            "status",
            "planned_date",
            "performed_on",
            "n_high",
            "n_medium",
            "n_low",
            "n_decisions",
            "n_joint",
        ),
        "ve": RankingEmployerFact.objects.visible_to(user)
        .filter(**in_centre)
        .order_by()
        .values("workplace_id", "employer_id", "performed_on", "has_findings"),
        "vt": Tip.objects.visible_to(user)
        .exclude(outcome="dismissed")
        .filter(
            received_at__date__gte=as_of - timedelta(days=365 * TIP_YEARS),
            received_at__date__lt=as_of + timedelta(days=1),
        )
        .order_by()
        .values("id", "employer_id", "orgnr", "address_key"),
        "sig": RankingFact.objects.filter(agency__isnull=True, performed_on__lt=as_of, **in_centre)
        .order_by()
        .values("workplace_id")
        .annotate(n=Sum("n_joint")),
    }
    return {name: _sql(query) for name, query in queries.items()}


def rank(request: Request, *, user) -> list[Candidate]:
    """The ranked candidates: the best (1 − share) × limit by score, then share × limit
    drawn at random (seeded) among the other workplaces in a risk industry.

    Only some workplaces are scored in full (docs/performance.md, "Risk ranking: scoring
    only the contenders"). Six factors are cheap for every workplace: industry, findings,
    decisions and last control come from the one aggregate over the facts, tips and signals
    from small inputs (the visible open tips, the joint controls' network rows). The
    seventh, linked employers, needs every employer's findings elsewhere and adds at most
    its cap. So the `n_top`-th best of the six-factor sums is a bar no top candidate can be
    below, and a workplace whose six factors plus that cap stay below it cannot be in the
    top: only the contenders above the bar, and the first of the seeded random order (the
    draw), get the seventh. The list is the one scoring every workplace would give
    (tests/inspections/test_ranking_contenders.py)."""
    membership = user.active_membership
    if membership is None:
        return []
    facts.refresh()  # what changed since the last ranking (usually nothing or a little)
    risk_rows = list(IndustryRisk.objects.all())
    as_of = request.start
    one_year, three_years = as_of - timedelta(days=365), as_of - timedelta(days=3 * 365)
    county_ids = list(request.centre.counties.values_list("id", flat=True)) or [0]
    q = _scope(request, user, county_ids)
    industry_sql, industry_params = _industry_case(risk_rows)
    network = membership.agency.is_network_member
    # Signals only for network agencies (the duty to share for joint workplace controls).
    signals = "(COALESCE(sig.n, 0) - agg.n_joint)" if network else "0"
    signal_points = _capped(f"{signals} * {SIGNAL_POINTS * QUARTERS}", CAPS["signals"])
    # The factor read after the bar counts employers, so it adds 0 to its cap.
    linked_max = CAPS["linked_employers"] * QUARTERS
    t = {m.__name__: m._meta.db_table for m in (Workplace, Employer, EmployerLink)}
    focus = " OR ".join("w.sni LIKE %s" for _ in request.prefixes) or "1=1"
    earlier = "performed_on < %s"
    known = (
        "(wp.q_industry + wp.q_findings + wp.q_decisions + wp.q_last_control"
        " + wp.q_tips + wp.q_signals)"
    )
    counties = ", ".join(["%s"] * len(county_ids))

    def draw_order(alias: str) -> str:
        return f"({alias}.id * 2654435761 + %s) %% 4294967311, {alias}.id"

    # PostgreSQL: a scope read more than once is read once (MATERIALIZED) and joined, never
    # probed with IN (...): a probe of a CTE is estimated at 200 rows and planned as a nested
    # loop over hundreds of thousands of rows (bench/risk.py measured 40 s before this shape).
    # The facts `vi` are read once, inline, by an aggregate; the employer facts `ve` three
    # times, each time joined to a small set (the tips' employers, the contenders, their
    # employers), so inline too (NOT MATERIALIZED): an index-only scan each.
    score = (
        "(q_industry + q_findings + q_decisions + q_tips + q_last_control"
        " + q_linked_employers + q_signals)"
    )
    pg = connection.vendor == "postgresql"
    once = "MATERIALIZED " if pg else ""
    inline = "NOT MATERIALIZED " if pg else ""
    sql = f"""
    WITH vi AS ({q["vi"][0]}),
    ve AS {inline}({q["ve"][0]}),
    vt AS {once}({q["vt"][0]}),
    agg AS (
        SELECT workplace_id, MAX(sni) AS sni,
               MAX(CASE WHEN {earlier} THEN performed_on END) AS last_on,
               SUM(CASE WHEN status IN ('planned', 'staffed')
                         AND planned_date BETWEEN %s AND %s THEN 1 ELSE 0 END) AS planned_now,
               SUM(CASE WHEN {earlier} THEN (n_high * %s + n_medium * %s + n_low * %s)
                   * {_recency("performed_on")} ELSE 0 END) AS qp_findings,
               SUM(CASE WHEN {earlier} THEN n_decisions * %s * {_recency("performed_on")}
                   ELSE 0 END) AS qp_decisions,
               SUM(CASE WHEN {earlier} THEN n_joint ELSE 0 END) AS n_joint
        FROM vi GROUP BY workplace_id
    ),
    industry AS (
        SELECT w.sni, ({industry_sql}) AS weight
        FROM (SELECT DISTINCT sni FROM agg) w WHERE ({focus})
    ),
    tip_employers AS (
        SELECT vt.id AS tip_id, vt.employer_id FROM vt WHERE vt.employer_id IS NOT NULL
        UNION
        SELECT vt.id, em.id FROM vt JOIN {t["Employer"]} em ON em.orgnr = vt.orgnr
        WHERE vt.orgnr <> ''
        UNION
        SELECT l.tip_id, l.employer_id FROM {t["EmployerLink"]} l JOIN vt ON vt.id = l.tip_id
        WHERE l.status = 'confirmed'
    ),
    tips AS (
        SELECT named.workplace, COUNT(DISTINCT named.tip_id) AS n FROM (
            SELECT ve.workplace_id AS workplace, te.tip_id
            FROM ve JOIN tip_employers te ON te.employer_id = ve.employer_id
            UNION
            SELECT w.id, vt.id FROM {t["Workplace"]} w JOIN vt ON vt.address_key = w.address_key
            WHERE w.county_id IN ({counties}) AND w.address_key <> ''
        ) named GROUP BY named.workplace
    ),
    sig AS ({q["sig"][0]}),
    wp AS {once}(
        SELECT agg.workplace_id AS id, industry.weight, agg.last_on, agg.n_joint,
            {_capped("industry.weight * 10 * 4", CAPS["industry"])} AS q_industry,
            {_capped("agg.qp_findings", CAPS["findings"])} AS q_findings,
            {_capped("agg.qp_decisions", CAPS["decisions"])} AS q_decisions,
            (CASE WHEN agg.last_on IS NULL THEN 30 WHEN agg.last_on < %s THEN 30
                  WHEN agg.last_on < %s THEN 20 WHEN agg.last_on < %s THEN 10
                  ELSE 0 END) * {QUARTERS} AS q_last_control,
            {_capped(f"COALESCE(tips.n, 0) * {TIP_POINTS * QUARTERS}", CAPS["tips"])} AS q_tips,
            {signal_points} AS q_signals,
            COALESCE(tips.n, 0) AS n_tips, {signals} AS n_signals
        FROM agg JOIN industry ON industry.sni = agg.sni
        LEFT JOIN tips ON tips.workplace = agg.workplace_id
        LEFT JOIN sig ON sig.workplace_id = agg.workplace_id
        WHERE agg.planned_now = 0
    ),
    quota AS (
        SELECT n - (n * %s + 500) / 1000 AS n_top, (n * %s + 500) / 1000 AS n_random
        FROM (SELECT CASE WHEN COUNT(*) < %s THEN COUNT(*) ELSE %s END AS n FROM wp) u
    ),
    bar AS (
        SELECT {known} AS q FROM wp ORDER BY 1 DESC
        LIMIT 1 OFFSET (SELECT CASE WHEN n_top > 0 THEN n_top - 1 ELSE 0 END FROM quota)
    ),
    need AS {once}(
        SELECT wp.* FROM wp
        WHERE {known} + {linked_max} >= (SELECT q FROM bar) AND (SELECT n_top FROM quota) > 0
        UNION
        SELECT * FROM (
            SELECT wp.* FROM wp WHERE wp.weight > 0 ORDER BY {draw_order("wp")}
            LIMIT (SELECT n_top + n_random FROM quota)
        ) first_drawn
    ),
    met AS {once}(
        SELECT DISTINCT ve.workplace_id AS workplace, ve.employer_id
        FROM ve JOIN need ON need.id = ve.workplace_id
    ),
    found AS (
        SELECT employer_id, MIN(workplace_id) AS lo, MAX(workplace_id) AS hi
        FROM ve WHERE has_findings = %s AND {earlier}
            AND employer_id IN (SELECT employer_id FROM met)
        GROUP BY employer_id
    ),
    linked AS (
        SELECT e.workplace, COUNT(*) AS n
        FROM met e JOIN found f ON f.employer_id = e.employer_id
        WHERE f.lo <> e.workplace OR f.hi <> e.workplace
        GROUP BY e.workplace
    ),
    scored AS {once}(SELECT r.*, {score} AS q_score FROM (
    SELECT wp.id, wp.weight, wp.q_industry, wp.q_findings, wp.q_decisions, wp.q_tips,
        wp.q_last_control,
        {_capped(f"COALESCE(linked.n, 0) * {LINKED_POINTS * QUARTERS}", CAPS["linked_employers"])}
            AS q_linked_employers,
        wp.q_signals, wp.n_tips, wp.last_on, COALESCE(linked.n, 0) AS n_linked, wp.n_signals
    FROM need wp
    LEFT JOIN linked ON linked.workplace = wp.id
    ) r),
    top AS (SELECT * FROM scored ORDER BY q_score DESC, id LIMIT (SELECT n_top FROM quota))
    SELECT * FROM (
        SELECT *, 0 AS drawn, ROW_NUMBER() OVER (ORDER BY q_score DESC, id) AS position
        FROM top
        UNION ALL
        SELECT *, ROW_NUMBER() OVER (ORDER BY {draw_order("rest")}) AS drawn, 0 AS position
        FROM (
            SELECT * FROM scored
            WHERE scored.weight > 0 AND scored.id NOT IN (SELECT id FROM top)
            ORDER BY {draw_order("scored")}
            LIMIT (SELECT n_random FROM quota)
        ) rest
    ) picked ORDER BY drawn, position
    """
    permille = round(request.random_share * 1000)
    # Parameters in the order of their placeholders above.
    params = [
        *q["vi"][1],
        *q["ve"][1],
        *q["vt"][1],
        as_of,  # last_on
        request.start,
        request.end,  # planned now
        as_of,
        SEVERITY_POINTS["high"],
        SEVERITY_POINTS["medium"],
        SEVERITY_POINTS["low"],
        one_year,
        three_years,  # findings
        as_of,
        DECISION_POINTS,
        one_year,
        three_years,  # decisions
        as_of,  # n_joint
        *industry_params,
        *[f"{x}%" for x in request.prefixes],
        *county_ids,  # tips by address
        *q["sig"][1],
        three_years,
        as_of - timedelta(days=730),
        one_year,  # last control buckets
        permille,
        permille,
        request.limit,
        request.limit,  # quota
        request.seed,  # the first of the draw
        True,
        as_of,  # employers with findings
        request.seed,
        request.seed,  # the draw
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        if pg:
            # Aggregates over CTEs carry guessed row counts (200, or 1 after a filter); a
            # nested loop planned on such a guess joins 100,000 rows to 100,000. Every join
            # here is workplace-to-workplace on whole sets: hash joins are always right.
            cursor.execute("SET LOCAL enable_nestloop = off")
            # The statement is long but cheap per row: compiling it (JIT) costs seconds.
            cursor.execute("SET LOCAL jit = off")
            # One hash entry per workplace of the centre: in memory, not in batches on disk.
            cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(sql, params)
        rows = _rows(cursor)
    top = [r for r in rows if r["drawn"] == 0]
    drawn = [r for r in rows if r["drawn"] > 0]
    return _candidates(top, drawn, risk_rows, user, request)


def _rows(cursor) -> list[dict]:
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _weight_row(sni: str, rows: list[IndustryRisk]) -> IndustryRisk | None:
    matches = [(len(p), r) for r in rows for p in r.sni_prefixes if sni.startswith(p)]
    return max(matches, key=lambda m: m[0])[1] if matches else None


def _counts(ids: list[int], user, request: Request) -> dict[int, dict]:
    """The counts behind the findings and decisions factors of the candidates only (the
    ranking itself sums points, not counts, over the whole centre): the same facts, the
    same scope, read through the same index (agency, county, workplace)."""
    earlier = RankingFact.objects.visible_to(user).filter(
        county__in=request.centre.counties.all(),
        workplace_id__in=ids,
        performed_on__lt=request.start,
    )
    as_of = request.start
    found = F("n_high") + F("n_medium") + F("n_low")
    rows = (
        earlier.order_by()
        .values("workplace_id")
        .annotate(
            found=Sum(found),
            high=Sum("n_high"),
            recent=Sum(found, filter=Q(performed_on__gte=as_of - timedelta(days=365))),
            decided=Sum("n_decisions"),
        )
    )
    # Plain dicts (`values()`), each keyed by its workplace once that key is taken out.
    return {row.pop("workplace_id"): row for row in cast(Iterable[dict[str, Any]], rows)}


def _candidates(top, drawn, risk_rows, user, request) -> list[Candidate]:
    rows = [(r, SelectionBasis.RISK_RANKING) for r in top] + [
        (r, SelectionBasis.RANDOM_IN_RISK_INDUSTRY) for r in drawn
    ]
    ids = [r["id"] for r, _basis in rows]
    counts = _counts(ids, user, request)
    none = {"found": 0, "high": 0, "recent": 0, "decided": 0}
    for row, _basis in rows:
        found = counts.get(row["id"], none)
        row.update(
            n_findings=found["found"] or 0,
            n_high=found["high"] or 0,
            n_recent=found["recent"] or 0,
            n_decisions=found["decided"] or 0,
        )
    places = Workplace.objects.select_related("county").in_bulk(ids)
    employers: dict[int, list[Employer]] = {i: [] for i in ids}
    visible = Inspection.objects.visible_to(user).filter(workplace_id__in=ids).values("id")
    seen = set()
    for link in (
        InspectionEmployer.objects.filter(inspection__in=visible)
        .select_related("employer", "inspection")
        .order_by("employer__name", "employer_id")
    ):
        key = (link.inspection.workplace_id, link.employer_id)
        if key not in seen:
            seen.add(key)
            employers[link.inspection.workplace_id].append(link.employer)
    out = []
    for position, (row, basis) in enumerate(rows, start=1):
        place = places[row["id"]]
        factors = [
            Factor(key, row[f"q_{key}"] / QUARTERS, _detail(key, row, place, risk_rows))
            for key in CAPS
        ]
        out.append(
            Candidate(
                rank=position,
                workplace=place,
                score=row["q_score"] / QUARTERS,
                basis=basis,
                factors=factors,
                industry=_weight_row(place.sni, risk_rows),
                employers=employers[place.id],
            )
        )
    return out


def _detail(key: str, row: dict, place: Workplace, risk_rows) -> dict:
    if key == "industry":
        industry = _weight_row(place.sni, risk_rows)
        return {
            "industry": industry.key if industry else "",
            "industry_name": industry.name if industry else "",
            "weight": row["weight"],
            "sni": place.sni,
        }
    if key == "findings":
        return {"count": row["n_findings"], "high": row["n_high"], "last_year": row["n_recent"]}
    if key == "decisions":
        return {"count": row["n_decisions"]}
    if key == "tips":
        return {"count": row["n_tips"]}
    if key == "last_control":
        last = row["last_on"]
        if isinstance(last, str):  # SQLite returns dates of a raw query as text
            last = date.fromisoformat(last)
        return {"last_on": last.isoformat() if last else None}
    if key == "linked_employers":
        return {"count": row["n_linked"]}
    return {"count": row["n_signals"]}


def explain(key: str, detail: dict) -> str:
    """One sentence a coordinator can read aloud: why these points."""
    count = detail.get("count", 0)
    if key == "industry":
        if not detail["industry"]:
            return _("SNI %(sni)s is not in the risk table.") % detail
        return _("%(industry_name)s (SNI %(sni)s): weight %(weight)s in the risk table.") % detail
    if key == "findings":
        return (
            ngettext(
                "%(count)s finding in earlier controls here: %(high)s of high severity, "
                "%(last_year)s within the last year.",
                "%(count)s findings in earlier controls here: %(high)s of high severity, "
                "%(last_year)s within the last year.",
                count,
            )
            % detail
        )
    if key == "decisions":
        return (
            ngettext(
                "%(count)s decision on those findings.",
                "%(count)s decisions on those findings.",
                count,
            )
            % detail
        )
    if key == "tips":
        return (
            ngettext(
                "%(count)s open tip names an employer met here or this address.",
                "%(count)s open tips name an employer met here or this address.",
                count,
            )
            % detail
        )
    if key == "last_control":
        if detail["last_on"] is None:
            return _("No performed control here that you can see.")
        return _("Last control you can see: %(last_on)s.") % detail
    if key == "linked_employers":
        return (
            ngettext(
                "%(count)s employer met here has findings at other workplaces.",
                "%(count)s employers met here have findings at other workplaces.",
                count,
            )
            % detail
        )
    return (
        ngettext(
            "%(count)s finding from another agency's joint controls here (a count only; the "
            "records are that agency's).",
            "%(count)s findings from another agency's joint controls here (a count only; the "
            "records are that agency's).",
            count,
        )
        % detail
    )
