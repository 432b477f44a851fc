"""The joint controls of the demo world: a year of operations and inspections across the
regional centres and the risk industries, with what each agency found and decided, and a
few controls planned for the coming weeks. Everything goes through the services, so the
demo also leaves a realistic audit trail. Idempotent: skipped if the year is already there.
"""

import itertools
import random
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from cases.employers import services as employer_services
from cases.employers.models import Employer
from cases.tips import services as tip_services
from inspections.choices import (
    CATEGORIES_BY_AGENCY,
    COMMON_CATEGORIES,
    TRAFFICKING_CATEGORIES,
    OperationStatus,
)
from inspections.models import Inspection
from inspections.services import decisions, follow_ups, lifecycle, operations, planning, results
from network import demo
from network.models import Agency, Centre, User

# Risk industries (the joint risk assessment, docs/risk.md): SNI code, workplace type, name pattern, weight.
INDUSTRIES = [
    ("41.200", "building_site", "Bygget {street}", 30),
    ("43.990", "building_site", "Fasadrenovering {street}", 10),
    ("56.100", "premises", "Restaurang {word}", 25),
    ("81.210", "premises", "Städuppdrag {word}", 8),
    ("49.410", "vehicle", "Lastbil vid {street}", 7),
    ("96.020", "premises", "Skönhetssalong {word}", 8),
    ("45.200", "premises", "Biltvätt {word}", 7),
    ("02.100", "field", "Skogsplantering {word}", 3),
    ("88.100", "premises", "Assistansbolag {word}", 2),
]
# (county code, municipality code, city) per centre's area.
PLACES = {
    "stockholm": [("01", "0180", "Stockholm"), ("01", "0182", "Nacka"), ("09", "0980", "Visby")],
    "goteborg": [("14", "1480", "Göteborg"), ("14", "1490", "Borås"), ("13", "1380", "Halmstad")],
    "malmo": [("12", "1280", "Malmö"), ("12", "1283", "Helsingborg"), ("08", "0880", "Kalmar")],
    "uppsala": [("03", "0380", "Uppsala"), ("19", "1980", "Västerås"), ("21", "2180", "Gävle")],
    "orebro": [("18", "1880", "Örebro"), ("17", "1780", "Karlstad"), ("20", "2080", "Falun")],
    "norrkoping": [("05", "0581", "Norrköping"), ("06", "0680", "Jönköping")],
    "umea": [("24", "2480", "Umeå"), ("22", "2281", "Sundsvall"), ("25", "2580", "Luleå")],
}
STREETS = ["Storgatan", "Kungsgatan", "Industrivägen", "Hamngatan", "Järnvägsgatan", "Skolgatan"]
WORDS = ["Solen", "Lotus", "Hörnet", "Express", "Norden", "Centrum", "Stjärnan", "Parken"]
NATIONALITIES = ["SE", "PL", "RO", "UA", "LT", "SY", "TH", "VN", "ER", "AF"]
FEES = {
    "personalliggare_saknas": ("kontrollavgift", Decimal("12500")),
    "person_ej_antecknad": ("kontrollavgift", Decimal("2500")),
    "arbetsmiljobrist": ("forelaggande", None),
    "skyddsutrustning": ("sanktionsavgift", Decimal("20000")),
    "utan_arbetstillstand": ("polisanmalan", None),
    "olaglig_vistelse": ("polisanmalan", None),
}
# The crime a police report is about, by the finding behind it.
LAWS = {"utan_arbetstillstand": "utlanningslagen", "olaglig_vistelse": "utlanningslagen"}
# The demo year and, smaller, the year before (the report compares them); together as many
# as one year used to be, so seeding takes no longer.
PERFORMED_PER_YEAR = 92
PERFORMED_YEAR_BEFORE = 40
# Two national campaigns: (title, SNI code of their workplaces, month, inspections).
CAMPAIGNS = [
    ("Nationell kampanj nagel- och skönhetssalonger", "96.020", 4, 8),
    ("Byggvecka – nationell kontrollvecka på byggarbetsplatser", "41.200", 9, 10),
]
# Companies controlled and found in order: the published ratios are per company ("more than
# half of the controlled companies" had to remedy deficiencies, so not all of them), so each
# year has controls of companies of their own that end without findings (years back: count).
CLEAN_CONTROLS = {1: 6, 0: 12}
CLEAN_TRADES = ["Fönsterputs", "Golvservice", "Måleri", "Ventilation", "Plattsättning", "El"]
MONTHS = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
]


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _inspect(
    rng, actor, when, centre, operation, employers, perform: bool, sni=None, findings=True
):
    industries = [i for i in INDUSTRIES if i[0] == sni] or INDUSTRIES
    sni, kind, pattern, _weight = rng.choices(industries, weights=[i[3] for i in industries])[0]
    county, municipality, city = rng.choice(PLACES[centre.code])
    street = f"{rng.choice(STREETS)} {rng.randint(1, 80)}"
    inspection = planning.plan_inspection(
        workplace={
            "name": pattern.format(street=street, word=rng.choice(WORDS)),
            "address": street,
            "city": city,
            "municipality": municipality,
            "county": county,
            "sni": sni,
            "workplace_type": kind,
        },
        planned_date=when,
        employers=[
            e.orgnr for e in rng.sample(employers, k=min(len(employers), rng.randint(1, 2)))
        ],
        operation=operation,
        actor=actor,
    )
    met = list(inspection.employers.all())
    on_site = ["av", "skv", "polis"] if rng.random() < 0.7 else ["av", "polis"]
    desk = ["migr"] + (["fk"] if sni == "88.100" else []) + (["af"] if rng.random() < 0.2 else [])
    for code, mode in [(c, "on_site") for c in on_site] + [(c, "desk") for c in desk]:
        assignment = planning.assign_agency(
            inspection, agency=Agency.objects.get(code=code), mode=mode, actor=actor
        )
        if perform or rng.random() < 0.5:
            planning.respond_to_assignment(assignment, accept=True, actor=_user(f"{code}.staff"))
    if not perform:
        return inspection
    persons = rng.randint(1, 25)
    lifecycle.perform_inspection(
        inspection, performed_on=when, persons_checked=persons, actor=actor
    )
    for code in on_site + desk:
        staff = _user(f"{code}.staff")
        for _ in range(rng.choice([0, 0, 1, 1, 2]) if findings else 0):
            own = CATEGORIES_BY_AGENCY.get(code, COMMON_CATEGORIES)
            category = (
                rng.choice(TRAFFICKING_CATEGORIES) if rng.random() < 0.04 else rng.choice(own)
            )
            # Most findings concern one of the employers met; a few the site as such.
            concerned = rng.choice(met) if rng.random() < 0.9 else None
            finding = results.record_finding(
                inspection,
                category=category,
                description="Demo: " + category.replace("_", " "),
                severity=rng.choice(["low", "medium", "high"]),
                secret=rng.random() < 0.05,
                employer=concerned,
                actor=staff,
            )
            if category in FEES and rng.random() < 0.8:
                kind_of_decision, amount = FEES[category]
                decision = decisions.record_decision(
                    finding,
                    type=kind_of_decision,
                    amount_sek=amount,
                    decided_on=when,
                    law=LAWS.get(category, ""),
                    actor=staff,
                )
                if amount is not None and rng.random() < 0.12:
                    decisions.change_decision_status(
                        decision,
                        status="withdrawn",
                        reason="Demo: avgiften undanröjd efter överklagande",
                        actor=staff,
                    )
                elif amount is not None and rng.random() < 0.5:
                    decisions.change_decision_status(
                        decision, status="paid", reason="Demo: betald", actor=staff
                    )
        if code in ("polis", "migr"):
            left, counts = persons if code == "polis" else rng.randint(1, 4), []
            for nationality in rng.sample(NATIONALITIES, k=min(3, persons)):
                count = rng.randint(1, max(1, left // 2)) if left > 1 else left
                if count <= 0:
                    break
                status = (
                    "eu_eea_citizen"
                    if nationality in {"SE", "PL", "RO", "LT"}
                    else rng.choice(
                        ["valid_permit", "no_right_to_work", "staying_illegally", "unknown"]
                    )
                )
                counts.append({"right_to_work": status, "nationality": nationality, "count": count})
                left -= count
            if counts:
                results.record_person_counts(inspection, counts=counts, actor=staff)
    if rng.random() < 0.3:
        owner = _user(f"{on_site[1]}.staff")
        title, due, done = _follow_up_due(rng, when)
        follow_up = follow_ups.add_follow_up(inspection, title=title, due_date=due, actor=owner)
        if done:
            follow_ups.complete_follow_up(follow_up, actor=owner)
    # Every accepted agency reports (desk agencies too): only then is the control documented.
    for code in on_site + desk:
        results.submit_results(inspection, actor=_user(f"{code}.staff"))
    if rng.random() < 0.6:
        inspection.refresh_from_db()
        if not inspection.follow_ups.filter(status="open").exists():
            lifecycle.close_inspection(inspection, actor=actor)
    return inspection


# The demo's controls are of last year, but its follow-ups are met today: taken in turn, done
# long ago, overdue by days or weeks, due this week, or due later (a revisit), whatever the
# random draw of the world.
FOLLOW_UP_DUE = itertools.cycle([None, 2, -9, None, 16, 5, -3, None, 24, 0, -20, 4])
REVISIT = "Återbesök: kontrollera att bristerna är åtgärdade"


def _follow_up_due(rng, when: date) -> tuple[str, date, bool]:
    """A follow-up's title, due date and whether it is done (see FOLLOW_UP_DUE)."""
    days = next(FOLLOW_UP_DUE)
    if days is None:
        return "Begär in kompletterande underlag", when + timedelta(days=rng.choice([14, 30])), True
    today = timezone.localdate()
    title = REVISIT if days > 7 else "Begär in kompletterande underlag"
    return title, max(when, today + timedelta(days=days)), False


def _date_operations(planned, actor, today: date) -> None:
    """Move the demo's operations to where their period puts them today (the state machine's
    path, not a shortcut): ended ones to follow-up, or closed once every control in them is
    finished; running ones in progress; coming ones stay planned."""
    for operation in planned:
        if operation.period_start > today:
            continue
        operations.move_operation(operation, status=OperationStatus.IN_PROGRESS, actor=actor)
        if operation.period_end >= today:
            continue
        operations.move_operation(operation, status=OperationStatus.FOLLOW_UP, actor=actor)
        if not operation.inspections.exclude(
            status__in=operations.FINAL_INSPECTION_STATES
        ).exists():
            operations.move_operation(operation, status=OperationStatus.CLOSED, actor=actor)


def _days_until(year: int, today: date) -> tuple[date, int]:
    """The year's first day and how many of its days have passed (dates end before today)."""
    first = date(year, 1, 1)
    last = min(date(year, 12, 31), today - timedelta(days=1))
    return first, max((last - first).days, 1)


def seed_inspections(context: demo.DemoContext) -> None:
    coordinator = _user("av.coordinator")
    year = context.year
    if Inspection.objects.filter(created_by=coordinator, planned_date__year=year).exists():
        return
    rng = random.Random(year)
    employers = list(Employer.objects.order_by("pk"))
    centres = list(Centre.objects.order_by("code"))
    today = timezone.localdate()
    planned = []
    for this_year, full in ((year - 1, PERFORMED_YEAR_BEFORE), (year, PERFORMED_PER_YEAR)):
        first, days = _days_until(this_year, today)
        count = context.count(full)
        for index in range(count):
            centre = centres[index % len(centres)]
            when = first + timedelta(days=index * days // count)
            operation = None
            if index % 10 == 0:
                operation = operations.create_operation(
                    title=f"Kontrollinsats {centre.city} {MONTHS[when.month - 1]}",
                    period_start=when,
                    period_end=when + timedelta(days=4),
                    selection_basis=rng.choice(["risk_industry", "intelligence", "tip"]),
                    centre=centre,
                    actor=coordinator,
                )
                planned.append(operation)
            _inspect(rng, coordinator, when, centre, operation, employers, perform=True)
    first, days = _days_until(year, today)
    for title, sni, month, full in CAMPAIGNS:
        start = max(first, min(date(year, month, 1), first + timedelta(days=days - 7)))
        campaign = operations.create_operation(
            title=title,
            scope="national",
            period_start=start,
            period_end=start + timedelta(days=6),
            selection_basis="campaign",
            focus_sni=[sni[:2]],
            actor=coordinator,
        )
        planned.append(campaign)
        for index in range(context.count(full)):
            centre = centres[index % len(centres)]
            _inspect(
                rng,
                coordinator,
                start + timedelta(days=index % 6),
                centre,
                campaign,
                employers,
                perform=True,
                sni=sni,
            )
    _clean_controls(context, coordinator, centres, today)
    # A running operation: the first half of the coming controls belong to it.
    running = operations.create_operation(
        title=f"Kontrollinsats {centres[0].city} {MONTHS[today.month - 1]}",
        period_start=today - timedelta(days=2),
        period_end=today + timedelta(days=20),
        selection_basis="risk_industry",
        centre=centres[0],
        actor=coordinator,
    )
    planned.append(running)
    for index in range(context.count(12)):
        centre = centres[0] if index < 6 else centres[index % len(centres)]
        _inspect(
            rng,
            coordinator,
            today + timedelta(days=3 + index * 2),
            centre,
            running if index < 6 else None,
            employers,
            perform=False,
        )
    _date_operations(planned, coordinator, today)
    in_year = context.count(PERFORMED_PER_YEAR) + context.count(CLEAN_CONTROLS[0])
    in_year_before = context.count(PERFORMED_YEAR_BEFORE) + context.count(CLEAN_CONTROLS[1])
    context.log(
        f"demo: {in_year} inspections in {year}, {in_year_before} in {year - 1}, "
        f"{len(CAMPAIGNS)} campaigns and {context.count(12)} planned"
    )


def _clean_controls(context: demo.DemoContext, coordinator, centres, today) -> None:
    """CLEAN_CONTROLS: one control each of companies of their own, without findings (a
    generator of its own, so the rest of the demo stays as it was)."""
    year = context.year
    rng = random.Random(year + 1)
    number = 10  # _risk_orgnr numbers 0-6 are the risk demo's
    for back, full in sorted(CLEAN_CONTROLS.items(), reverse=True):
        first, days = _days_until(year - back, today)
        for index in range(context.count(full)):
            orgnr = _risk_orgnr(number)
            number += 1
            company = Employer.objects.filter(orgnr=orgnr).first()
            if company is None:
                company = employer_services.register_employer(
                    orgnr=orgnr,
                    name=f"{CLEAN_TRADES[index % len(CLEAN_TRADES)]} {number} i Sverige AB",
                    actor=coordinator,
                )
            _inspect(
                rng,
                coordinator,
                first + timedelta(days=(index * 29 + 11) % max(1, days)),
                centres[index % len(centres)],
                None,
                [company],
                perform=True,
                findings=False,
            )


demo.register(30, "inspections", seed_inspections)


# --- risk-based selection (docs/risk.md) ---------------------------------------------------
# Building sites in Stockholm county with a history a coordinator can rank: some with findings
# of several severities and decisions in earlier years, some controlled without findings,
# some never controlled (the door was closed); employers with a phone met at several sites
# (subcontractor chains); public tips without an organisation number whose employer name,
# address or phone matches a registered employer (link candidates); and this year's
# inspections chosen by risk ranking or drawn at random, for the hit-rate dashboard.

# name, street address, city, phone
RISK_EMPLOYERS = [
    ("Huddinge Bygg & Betong AB", "Kraftvägen 4", "Huddinge", "08-555 120 40"),
    ("Baltic Construction Partner AB", "Lagervägen 12", "Stockholm", "070-412 88 19"),
    ("Söderns Fasad & Puts AB", "Ringvägen 101", "Stockholm", "08-640 22 10"),
    ("Mälarstadens Ställning AB", "Industrigatan 8", "Solna", "08-29 45 60"),
    ("Norrort Kakel & Klinker HB", "Kakelvägen 2", "Täby", "073-901 45 67"),
    ("Lidingö Takmontage AB", "Torsviks torg 3", "Lidingö", "08-765 10 20"),
    ("Stockholms Stora Byggbolag AB", "Hamngatan 10", "Stockholm", "08-120 300 00"),
]
# name, address, municipality, city, SNI, [(employer index, role)], history: a list of
# (days ago, finding severities, decisions) for controls performed, or "closed" (not
# performed: never controlled).
type _History = list[tuple[int, list[str], int]] | str
RISK_SITES: list[tuple[str, str, str, str, str, list[tuple[int, str]], _History]] = [
    ("Bygget Hammarby Sjöstad etapp 3", "Lumaparksvägen 7", "0180", "Stockholm", "41.200",
     [(0, "builder"), (1, "subcontractor"), (2, "subcontractor")],
     [(400, ["high", "high", "medium"], 2), (900, ["medium"], 1)]),
    ("Fasadrenovering Ringvägen 101", "Ringvägen 101", "0180", "Stockholm", "43.990",
     [(2, "employer"), (1, "subcontractor")], [(200, ["high", "medium"], 1)]),
    ("Bygget Nacka strand", "Augustendalsvägen 20", "0182", "Nacka", "41.200",
     [(0, "builder"), (3, "subcontractor")], [(700, ["medium", "low"], 1)]),
    ("Takbyte Lidingövägen 40", "Lidingövägen 40", "0186", "Lidingö", "43.910",
     [(5, "employer"), (1, "subcontractor")], [(1300, ["high"], 1)]),
    ("Kakelarbeten Täby centrum", "Stationsvägen 3", "0160", "Täby", "43.330",
     [(4, "employer")], [(500, ["low"], 0)]),
    ("Bygget Arenastaden kv. 9", "Evenemangsgatan 31", "0184", "Solna", "41.200",
     [(6, "builder"), (3, "subcontractor")], [(1200, [], 0)]),
    ("Bygget Huddinge centrum", "Sjödalsvägen 12", "0126", "Huddinge", "41.200",
     [(6, "builder")], [(800, [], 0), (1500, [], 0)]),
    ("Rivning Flemingsberg", "Hälsovägen 9", "0126", "Huddinge", "43.110",
     [(0, "builder")], [(60, [], 0)]),
    ("Bygget Täby park", "Marknadsvägen 5", "0160", "Täby", "41.200",
     [(6, "builder"), (4, "subcontractor")], "closed"),
    ("Bygget Kungsholmen kv. Fyrtornet", "Lindhagensgatan 60", "0180", "Stockholm", "41.200",
     [(0, "builder"), (1, "subcontractor")], "closed"),
    ("Fasad Sickla", "Sickla allé 1", "0182", "Nacka", "43.990", [(2, "employer")], "closed"),
    ("Bygget Lidingö centrum", "Stockholmsvägen 50", "0186", "Lidingö", "41.200",
     [(6, "builder"), (5, "subcontractor")], [(1000, [], 0)]),
]  # fmt: skip
# Public tips naming an employer without its number: (employer as written, address, city,
# observations, text). They match by name, by phone in the text, and by a site's address.
RISK_TIPS = [
    ("Baltic Construction Partner", "Lumaparksvägen 7", "Stockholm",
     ["lives_at_workplace", "very_long_hours"],
     "Arbetarna verkar bo i bodarna på bygget. Förmannen svarar på 070-412 88 19."),
    ("Söderns Fasad och Puts", "Ringvägen 101", "Stockholm", ["unsafe", "little_or_no_pay"],
     "Ställningen saknar räcken och de säger att de inte fått lön på två månader."),
    ("Kakelfirman", "Marknadsvägen 5", "Täby", ["not_registered"],
     "Många fler som jobbar än som står i liggaren. Chefen har nummer 073-901 45 67."),
]  # fmt: skip
# This year's controls by how they were chosen: (basis, inspections, of which with findings).
HIT_RATE_CONTROLS = [("risk_ranking", 14, 9), ("random_in_risk_industry", 12, 5)]
HIT_RATE_PLACES = [("01", "0180", "Stockholm"), ("01", "0182", "Nacka"), ("14", "1480", "Göteborg")]


def _risk_orgnr(index: int) -> str:
    """A valid, deterministic limited-company number (559... with a Luhn check digit)."""
    digits = [int(d) for d in f"559{index + 41:02d}{index * 37 % 1000:03d}1"]
    total = 0
    for i, d in enumerate(reversed(digits)):
        d = d * 2 if i % 2 == 0 else d
        total += d - 9 if d > 9 else d
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def _perform_with(inspection, when, severities, decided, coordinator, rng):
    """AV and SKV on site; findings alternate between them; the first `decided` get a decision."""
    staff = {code: _user(f"{code}.staff") for code in ("av", "skv")}
    for code in staff:
        assignment = planning.assign_agency(
            inspection, agency=Agency.objects.get(code=code), mode="on_site", actor=coordinator
        )
        planning.respond_to_assignment(assignment, accept=True, actor=staff[code])
    lifecycle.perform_inspection(
        inspection, performed_on=when, persons_checked=rng.randint(3, 30), actor=coordinator
    )
    for n, severity in enumerate(severities):
        code = "skv" if n % 2 == 0 else "av"
        category = "personalliggare_saknas" if code == "skv" else "arbetsmiljobrist"
        finding = results.record_finding(
            inspection,
            category=category,
            description="Demo: " + category.replace("_", " "),
            severity=severity,
            actor=staff[code],
        )
        if n < decided:
            kind, amount = FEES[category]
            decisions.record_decision(
                finding, type=kind, amount_sek=amount, decided_on=when, actor=staff[code]
            )


def seed_risk(context: demo.DemoContext) -> None:
    from cases.employers.models import Employer
    from network.models import County

    if Employer.objects.filter(name=RISK_EMPLOYERS[0][0]).exists():
        return
    coordinator = _user("av.coordinator")
    staff = _user("av.staff")
    rng = random.Random(10)
    today = timezone.localdate()
    employers = []
    for index, (name, street, city, phone) in enumerate(RISK_EMPLOYERS):
        employer = employer_services.register_employer(
            orgnr=_risk_orgnr(index),
            name=name,
            sni_codes=["41.200"],
            street_address=street,
            city=city,
            actor=staff,
        )
        # Registry data without a service of its own: the phone tips are matched on.
        employer.phone = phone
        employer.save(update_fields=["phone"])
        employers.append(employer)

    for name, street, municipality, city, sni, met, history in RISK_SITES:
        workplace = {
            "name": name,
            "address": street,
            "city": city,
            "municipality": municipality,
            "county": "01",
            "sni": sni,
            "workplace_type": "building_site",
        }
        chain = [{"orgnr": employers[i].orgnr, "role": role} for i, role in met]
        if isinstance(history, str):  # "closed"
            inspection = planning.plan_inspection(
                workplace=workplace,
                planned_date=today - timedelta(days=rng.randint(200, 600)),
                employers=chain,
                actor=coordinator,
            )
            lifecycle.mark_not_performed(
                inspection, reason="Grinden låst, ingen på plats.", actor=coordinator
            )
            continue
        place = None
        for days_ago, severities, decided in sorted(history, reverse=True):
            when = today - timedelta(days=days_ago)
            inspection = planning.plan_inspection(
                workplace=place or workplace, planned_date=when, employers=chain, actor=coordinator
            )
            place = inspection.workplace
            _perform_with(inspection, when, severities, decided, coordinator, rng)

    stockholm = County.objects.get(code="01")
    for name, address, city, seen, text in RISK_TIPS:
        tip_services.submit_tip(
            data={
                "address": address,
                "municipality": city,
                "county": stockholm,
                "industry": "construction",
                "employer_name": name,
                "observations": seen,
                "description": text,
            }
        )

    # This year's controls chosen by the risk ranking or drawn at random (hit rates).
    first = date(today.year, 1, 15)
    span = max((today - first).days - 7, 1)
    for basis, full, with_findings in HIT_RATE_CONTROLS:
        for n in range(context.count(full)):
            county, municipality, city = HIT_RATE_PLACES[n % len(HIT_RATE_PLACES)]
            when = first + timedelta(days=rng.randrange(span))
            street = f"{rng.choice(STREETS)} {rng.randint(1, 99)}"
            inspection = planning.plan_inspection(
                workplace={
                    "name": f"Bygget {street}",
                    "address": street,
                    "city": city,
                    "municipality": municipality,
                    "county": county,
                    "sni": rng.choice(["41.200", "43.990"]),
                    "workplace_type": "building_site",
                },
                planned_date=when,
                employers=[rng.choice(employers).orgnr],
                selection_basis=basis,
                actor=coordinator,
            )
            severities = [rng.choice(["low", "medium", "high"])] if n < with_findings else []
            _perform_with(inspection, when, severities, 0, coordinator, rng)

    # An operation still being planned, for the coordinator to plan candidates into.
    operations.create_operation(
        title="Riskurval bygg Stockholm",
        period_start=today + timedelta(days=1),
        period_end=today + timedelta(days=30),
        selection_basis="risk_ranking",
        centre=Centre.objects.get(code="stockholm"),
        focus_sni=["41", "43"],
        actor=coordinator,
    )
    context.log(
        f"demo: {len(RISK_SITES)} ranked building sites, {len(RISK_TIPS)} tips to link, "
        f"{sum(context.count(t) for _b, t, _f in HIT_RATE_CONTROLS)} controls for hit rates"
    )


demo.register(35, "risk", seed_risk)
