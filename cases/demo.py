"""The cases part of the demo world: employers, cases, notes, shares (some expired) and the
audit trail they leave. Registered with network.demo; idempotent (keyed on titles)."""

import random
from datetime import timedelta

from django.utils import timezone

from cases.coordination import services as case_services
from cases.coordination.models import Case, CaseGroupObjectPermission
from cases.employers import services as employer_services
from cases.employers.models import Employer
from cases.referrals import services as referral_services
from cases.referrals.models import VictimReferral
from cases.tips import services as tip_services
from cases.tips.models import Tip
from network import demo
from network.models import Agency, County, User

EMPLOYERS = [
    ("Stålbygg i Mälardalen AB", "41.200", "Västerås"),
    ("Nordic Facade Montage AB", "43.990", "Stockholm"),
    ("Restaurang Lilla Torget AB", "56.100", "Malmö"),
    ("Glans Städservice AB", "81.210", "Göteborg"),
    ("Norrlands Skogsplantering AB", "02.100", "Umeå"),
    ("Biltvätten Express AB", "45.200", "Örebro"),
    ("Nagelstudio Lotus AB", "96.020", "Uppsala"),
    ("Omsorgsassistans Öst AB", "88.100", "Norrköping"),
    ("Åkeri Väst Transport AB", "49.410", "Borås"),
    ("Pizzeria Solrosen HB", "56.100", "Helsingborg"),
]

CASES = [
    ("skv", 0, "Personalliggare saknas på bygge i Västerås", "in_progress"),
    ("skv", 1, "Underentreprenörskedja utan F-skatt", "open"),
    ("skv", 3, "Svartarbete inom städ, tips från allmänheten", "open"),
    ("av", 1, "Fallrisk och boende på arbetsplatsen", "in_progress"),
    ("av", 4, "Arbetsmiljöbrister vid skogsplantering", "closed"),
    ("av", 5, "Kemikaliehantering utan skyddsutrustning", "open"),
    ("polis", 2, "Misstänkt människoexploatering i restaurang", "in_progress"),
    ("polis", 9, "Personer utan arbetstillstånd", "open"),
    ("migr", 6, "Arbetstillstånd med misstänkt osanna uppgifter", "open"),
    ("fk", 7, "Misstänkt felaktig utbetalning av assistansersättning", "in_progress"),
    ("af", 5, "Lönestöd till anställd som inte finns på plats", "open"),
    ("ebm", 8, "Bokföringsbrott i åkerikedja", "in_progress"),
]

# (case index, receiving agency, access, legal basis, days valid or None, expired)
SHARES = [
    (0, "av", "view", "uppgiftsskyldighet_akrim", None, False),
    (0, "polis", "edit", "uppgiftsskyldighet_brottsbekampning", 90, False),
    (3, "skv", "view", "uppgiftsskyldighet_akrim", 30, False),
    (6, "migr", "view", "uppgiftsskyldighet_brottsbekampning", None, False),
    (6, "jamy", "view", "samtycke", 60, False),
    (9, "ebm", "view", "osl_10_15a", 30, True),
    (11, "skv", "edit", "uppgiftsskyldighet_akrim", None, False),
    (2, "af", "view", "uppgiftsskyldighet_akrim", 10, True),
]

REASONS = {
    "uppgiftsskyldighet_akrim": "Underlag inför gemensam kontroll enligt uppgiftsskyldigheten.",
    "uppgiftsskyldighet_brottsbekampning": "Misstanke om brott; uppgifterna behövs för utredning.",
    "samtycke": "Den enskilde har skriftligen samtyckt till att uppgifterna lämnas.",
    "osl_10_15a": (
        "Intresset av att uppgifterna lämnas för att förhindra fortsatt fusk med "
        "ersättningar väger klart tyngre än det intresse sekretessen skyddar."
    ),
}


def _orgnr(rng: random.Random) -> str:
    """A valid limited-company number (group digit 5, third digit >= 2, Luhn)."""
    digits = [5, rng.randint(5, 9), rng.randint(2, 9)] + [rng.randint(0, 9) for _ in range(6)]
    total = 0
    for i, d in enumerate(reversed(digits)):
        d = d * 2 if i % 2 == 0 else d
        total += d - 9 if d > 9 else d
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def seed_cases(context: demo.DemoContext) -> None:
    rng = random.Random(2026)
    employers = []
    for name, sni, city in EMPLOYERS:
        employer = Employer.objects.filter(name=name).first()
        if employer is None:
            staff = User.objects.get(username="av.staff")
            orgnr = _orgnr(rng)
            while Employer.objects.filter(orgnr=orgnr).exists():
                orgnr = _orgnr(rng)
            employer = employer_services.register_employer(
                orgnr=orgnr, name=name, sni_codes=[sni], city=city, actor=staff
            )
        employers.append(employer)

    cases = []
    for code, employer_index, title, status in CASES:
        case = Case.objects.filter(title=title).first()
        if case is None:
            owner = User.objects.get(username=f"{code}.staff")
            case = case_services.open_case(
                title=title,
                summary="Demoärende: " + title.lower() + ".",
                employer=employers[employer_index],
                actor=owner,
            )
            case_services.add_note(case, text="Ärendet öppnat efter samverkansmöte.", actor=owner)
            if status != "open":
                case = case_services.update_case(
                    case, version=case.version, changes={"status": "in_progress"}, actor=owner
                )
            if status == "closed":
                case = case_services.update_case(
                    case, version=case.version, changes={"status": "closed"}, actor=owner
                )
        cases.append(case)

    for index, code, access, basis, days, expired in SHARES:
        case, agency = cases[index], Agency.objects.get(code=code)
        if CaseGroupObjectPermission.objects.filter(
            content_object=case, group=agency.group
        ).exists():
            continue
        owner = User.objects.get(username=f"{case.owner_agency.code}.staff")
        case_services.share_case(
            case,
            agency=agency,
            access=access,
            legal_basis=basis,
            reason=REASONS[basis],
            expires_at=timezone.now() + timedelta(days=days) if days else None,
            actor=owner,
        )
        if expired:
            # Time passing, not an action: the share ran out yesterday. It grants nothing
            # from that moment; where Celery beat runs, the purge job removes it.
            CaseGroupObjectPermission.objects.filter(
                content_object=case, group=agency.group
            ).update(expires_at=timezone.now() - timedelta(days=1))


demo.register(20, "cases", seed_cases)


# (referring agency, receiving body, sex, nationality, birth year, child, status path, consent)
REFERRALS = [
    ("polis", "nspm_stodtelefon", "female", "TH", 1994, False, ["support_contacted"], True),
    (
        "av",
        "regionkoordinator",
        "male",
        "UA",
        1988,
        False,
        ["assessment", "reflection_period"],
        True,
    ),
    ("skv", "nspm_stodtelefon", "male", "VN", 1999, False, ["assessment", "support_ongoing"], True),
    ("migr", "migrationsverket", "female", "ER", 2001, False, [], False),
    ("polis", "socialtjanst", "female", "RO", 2009, True, ["assessment"], False),
    ("av", "nspm_stodtelefon", "male", "PL", 1979, False, ["assessment", "not_a_victim"], True),
]
REFERRAL_DEMO_MARK = "Demohänvisning"


def seed_referrals(context: demo.DemoContext) -> None:
    if VictimReferral.objects.filter(origin_reference=REFERRAL_DEMO_MARK).exists():
        return
    jamy = User.objects.get(username="jamy.staff")
    for code, body, sex, nationality, born, child, path, consent in REFERRALS:
        referral = referral_services.create_referral(
            person={"sex": sex, "nationality": nationality, "birth_year": born},
            receiving_body=body,
            consent={"support": not child, "sharing": consent, "statistics": consent},
            is_child=child,
            indicators=["retention_of_id_documents", "excessive_overtime"],
            exploitation_types=["ForcedLabour"],
            methods_of_control=["WithholdsDocuments"],
            origin_reference=REFERRAL_DEMO_MARK,
            actor=User.objects.get(username=f"{code}.staff"),
        )
        for status in path:
            referral = referral_services.change_referral_status(referral, status=status, actor=jamy)


demo.register(25, "referrals", seed_referrals)


TIPS = [
    (
        "Storgatan 12",
        "Malmö",
        "12",
        "restaurant",
        "Restaurang Lilla Torget",
        ["lives_at_workplace", "very_long_hours"],
        "Personalen verkar sova i källaren.",
    ),
    (
        "Industrivägen 4",
        "Västerås",
        "19",
        "construction",
        "",
        ["passports_kept", "little_or_no_pay"],
        "Arbetarna säger att chefen har deras pass.",
    ),
    (
        "Hamngatan 8",
        "Göteborg",
        "14",
        "cleaning",
        "Glans Städservice",
        ["debts"],
        "Städarna betalar av en skuld för resan hit.",
    ),
    (
        "Kungsgatan 30",
        "Umeå",
        "24",
        "car_care",
        "Biltvätten Express",
        ["very_long_hours", "cannot_leave"],
        "Öppet dygnet runt, samma personer hela tiden.",
    ),
]


def seed_tips(context: demo.DemoContext) -> None:
    if Tip.objects.exists():
        return
    coordinator = User.objects.get(username="av.coordinator")
    county = {c.code: c for c in County.objects.all()}
    for n, (address, town, county_code, industry, name, seen, text) in enumerate(TIPS):
        tip = tip_services.submit_tip(
            data={
                "address": address,
                "municipality": town,
                "county": county[county_code],
                "industry": industry,
                "employer_name": name,
                "observations": seen,
                "description": text,
            }
        )
        if n == 1:
            tip_services.propose_tip_for_inspection(tip, actor=coordinator)
        if n == 3:
            tip_services.forward_tip(tip, agency=Agency.objects.get(code="skv"), actor=coordinator)


demo.register(26, "tips", seed_tips)
