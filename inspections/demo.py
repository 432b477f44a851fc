"""The joint controls of the demo world: a year of operations and inspections across the
regional centres and the risk industries, with what each agency found and decided, and a
few controls planned for the coming weeks. Everything goes through the services, so the
demo also leaves a realistic audit trail. Idempotent: skipped if the year is already there.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from cases.models import Employer
from inspections import services
from inspections.choices import CATEGORIES_BY_AGENCY, COMMON_CATEGORIES, TRAFFICKING_CATEGORIES
from inspections.models import Inspection
from network import demo
from network.models import Agency, Centre, User

# Risk industries (reference §1.4): SNI code, workplace type, name pattern, weight.
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
PERFORMED_PER_YEAR = 150
MONTHS = "januari februari mars april maj juni juli augusti september oktober november december"
MONTHS = MONTHS.split()


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _inspect(rng, actor, when, centre, operation, employers, perform: bool):
    sni, kind, pattern, _weight = rng.choices(INDUSTRIES, weights=[i[3] for i in INDUSTRIES])[0]
    county, municipality, city = rng.choice(PLACES[centre.code])
    street = f"{rng.choice(STREETS)} {rng.randint(1, 80)}"
    inspection = services.plan_inspection(
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
        employers=[e.orgnr for e in rng.sample(employers, k=rng.randint(1, 2))],
        operation=operation,
        actor=actor,
    )
    on_site = ["av", "skv", "polis"] if rng.random() < 0.7 else ["av", "polis"]
    desk = ["migr"] + (["fk"] if sni == "88.100" else []) + (["af"] if rng.random() < 0.2 else [])
    for code, mode in [(c, "on_site") for c in on_site] + [(c, "desk") for c in desk]:
        assignment = services.assign_agency(
            inspection, agency=Agency.objects.get(code=code), mode=mode, actor=actor
        )
        if perform or rng.random() < 0.5:
            services.respond_to_assignment(assignment, accept=True, actor=_user(f"{code}.staff"))
    if not perform:
        return inspection
    persons = rng.randint(1, 25)
    services.perform_inspection(inspection, performed_on=when, persons_checked=persons, actor=actor)
    for code in on_site + desk:
        staff = _user(f"{code}.staff")
        for _ in range(rng.choice([0, 0, 1, 1, 2])):
            own = CATEGORIES_BY_AGENCY.get(code, COMMON_CATEGORIES)
            category = (
                rng.choice(TRAFFICKING_CATEGORIES) if rng.random() < 0.04 else rng.choice(own)
            )
            finding = services.record_finding(
                inspection,
                category=category,
                description="Demo: " + category.replace("_", " "),
                severity=rng.choice(["low", "medium", "high"]),
                secret=rng.random() < 0.05,
                actor=staff,
            )
            if category in FEES and rng.random() < 0.8:
                kind_of_decision, amount = FEES[category]
                services.record_decision(
                    finding, type=kind_of_decision, amount_sek=amount, decided_on=when, actor=staff
                )
        if code == "polis":
            left, counts = persons, []
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
                services.record_person_counts(inspection, counts=counts, actor=staff)
    if rng.random() < 0.3:
        services.add_follow_up(
            inspection,
            title="Begär in kompletterande underlag",
            due_date=when + timedelta(days=rng.choice([14, 30, 60])),
            actor=_user(f"{on_site[1]}.staff"),
        )
    for code in on_site:
        services.submit_results(inspection, actor=_user(f"{code}.staff"))
    if rng.random() < 0.6:
        inspection.refresh_from_db()
        if not inspection.follow_ups.filter(status="open").exists():
            services.close_inspection(inspection, actor=actor)
    return inspection


def seed_inspections(context: demo.DemoContext) -> None:
    coordinator = _user("av.coordinator")
    year = context.year
    if Inspection.objects.filter(created_by=coordinator, planned_date__year=year).exists():
        return
    rng = random.Random(year)
    employers = list(Employer.objects.order_by("pk"))
    centres = list(Centre.objects.order_by("code"))
    for index in range(PERFORMED_PER_YEAR):
        centre = centres[index % len(centres)]
        month = 1 + index * 12 // PERFORMED_PER_YEAR
        when = date(year, month, rng.randint(1, 28))
        operation = None
        if index % 10 == 0:
            operation = services.create_operation(
                title=f"Kontrollinsats {centre.city} {MONTHS[when.month - 1]}",
                period_start=when,
                period_end=when + timedelta(days=4),
                selection_basis=rng.choice(["risk_industry", "intelligence", "tip", "campaign"]),
                centre=centre,
                actor=coordinator,
            )
        _inspect(rng, coordinator, when, centre, operation, employers, perform=True)
    today = timezone.localdate()
    for index in range(12):
        centre = centres[index % len(centres)]
        _inspect(
            rng,
            coordinator,
            today + timedelta(days=3 + index * 2),
            centre,
            None,
            employers,
            perform=False,
        )
    context.log(f"demo: {PERFORMED_PER_YEAR} inspections in {year} and 12 planned")


demo.register(30, "inspections", seed_inspections)
