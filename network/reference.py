"""The network's reference data: the nine agencies, the 21 counties, the seven centres.

Sources: shared/reference/domain-research.md §0 (agencies), §4.7 (county codes) and §2.2
(centres, their police regions and counties; the centre-to-region mapping is an inference
recorded there).

`ensure_reference_data` creates what is missing and never overwrites: an operator may have
renamed an agency in the admin. The data migration uses it with historical models, and it
runs again after every migrate and after a test database flush.
"""

import csv
import datetime
import functools
from pathlib import Path
from typing import Any

AGENCIES = [
    ("af", "Arbetsförmedlingen", "Swedish Public Employment Service", False),
    ("av", "Arbetsmiljöverket", "Swedish Work Environment Authority", True),
    ("ebm", "Ekobrottsmyndigheten", "Swedish Economic Crime Authority", False),
    ("fk", "Försäkringskassan", "Swedish Social Insurance Agency", False),
    ("jamy", "Jämställdhetsmyndigheten", "Swedish Gender Equality Agency", False),
    ("migr", "Migrationsverket", "Swedish Migration Agency", False),
    ("polis", "Polismyndigheten", "Swedish Police Authority", False),
    ("skv", "Skatteverket", "Swedish Tax Agency", False),
    ("aklag", "Åklagarmyndigheten", "Swedish Prosecution Authority", False),
]

# The agency that holds the national coordinator role for victims of trafficking and
# exploitation (the NMM). A role is data on the agency (`Agency.is_national_coordinator`);
# policies read the flag, never this code.
NATIONAL_COORDINATORS = {"jamy"}

COUNTIES = [
    ("01", "SE-AB", "Stockholms län"),
    ("03", "SE-C", "Uppsala län"),
    ("04", "SE-D", "Södermanlands län"),
    ("05", "SE-E", "Östergötlands län"),
    ("06", "SE-F", "Jönköpings län"),
    ("07", "SE-G", "Kronobergs län"),
    ("08", "SE-H", "Kalmar län"),
    ("09", "SE-I", "Gotlands län"),
    ("10", "SE-K", "Blekinge län"),
    ("12", "SE-M", "Skåne län"),
    ("13", "SE-N", "Hallands län"),
    ("14", "SE-O", "Västra Götalands län"),
    ("17", "SE-S", "Värmlands län"),
    ("18", "SE-T", "Örebro län"),
    ("19", "SE-U", "Västmanlands län"),
    ("20", "SE-W", "Dalarnas län"),
    ("21", "SE-X", "Gävleborgs län"),
    ("22", "SE-Y", "Västernorrlands län"),
    ("23", "SE-Z", "Jämtlands län"),
    ("24", "SE-AC", "Västerbottens län"),
    ("25", "SE-BD", "Norrbottens län"),
]

# code, name, city, police region, opened, county codes
CENTRES = [
    (
        "umea",
        "Center mot arbetslivskriminalitet Umeå",
        "Umeå",
        "Nord",
        None,
        ["22", "23", "24", "25"],
    ),
    (
        "uppsala",
        "Center mot arbetslivskriminalitet Uppsala",
        "Uppsala",
        "Mitt",
        datetime.date(2023, 11, 1),
        ["03", "19", "21"],
    ),
    (
        "orebro",
        "Center mot arbetslivskriminalitet Örebro",
        "Örebro",
        "Bergslagen",
        datetime.date(2023, 11, 1),
        ["17", "18", "20"],
    ),
    (
        "stockholm",
        "Arbetslivskriminalitetscentret (AKC) Stockholm",
        "Stockholm",
        "Stockholm",
        datetime.date(2023, 11, 14),
        ["01", "09"],
    ),
    (
        "goteborg",
        "Center mot arbetslivskriminalitet Göteborg",
        "Göteborg",
        "Väst",
        None,
        ["13", "14"],
    ),
    (
        "norrkoping",
        "Center mot arbetslivskriminalitet Norrköping",
        "Norrköping",
        "Öst",
        None,
        ["04", "05", "06"],
    ),
    (
        "malmo",
        "Center mot arbetslivskriminalitet Malmö",
        "Malmö",
        "Syd",
        datetime.date(2023, 12, 1),
        ["07", "08", "10", "12"],
    ),
]


def ensure_reference_data(Agency: Any, County: Any, Centre: Any, Group: Any) -> None:
    # Historical models from a migration's app registry: they have no static types.
    # The historical model of the first data migration has no national coordinator flag yet.
    has_flag = any(f.name == "is_national_coordinator" for f in Agency._meta.fields)
    for code, name_sv, name_en, is_coordinator in AGENCIES:
        group, _ = Group.objects.get_or_create(name=f"agency:{code}")
        defaults = {
            "name_sv": name_sv,
            "name_en": name_en,
            "is_coordinator": is_coordinator,
            "is_network_member": True,
            "group": group,
        }
        if has_flag:
            defaults["is_national_coordinator"] = code in NATIONAL_COORDINATORS
        Agency.objects.get_or_create(code=code, defaults=defaults)
    for code, iso, name in COUNTIES:
        County.objects.get_or_create(code=code, defaults={"iso_code": iso, "name": name})
    for code, name, city, region, opened, counties in CENTRES:
        centre, created = Centre.objects.get_or_create(
            code=code,
            defaults={"name": name, "city": city, "police_region": region, "opened_on": opened},
        )
        if created:
            centre.counties.set(County.objects.filter(code__in=counties))


# --- names for codes ------------------------------------------------------------------------
# SCB's municipality codes (kommunkoder): the first two digits are the county's code. The
# list ships as network/data/municipalities.csv (290 rows); tests/network/test_names.py
# checks the count and the county prefixes.

DATA = Path(__file__).resolve().parent / "data"
COUNTY_NAMES = {code: name for code, _iso, name in COUNTIES}


@functools.cache
def municipalities() -> dict[str, str]:
    """Four-digit municipality code -> SCB's name, in code order."""
    with (DATA / "municipalities.csv").open(encoding="utf-8", newline="") as handle:
        return {row["code"]: row["name"] for row in csv.DictReader(handle)}


def municipality_name(code: object) -> str:
    """'1480' -> 'Göteborg'; an unknown code is returned as it is (stored data is never
    hidden, only named when it can be)."""
    code = str(code or "").strip()
    return municipalities().get(code, code)


def county_name(code: object) -> str:
    """'14' -> 'Västra Götalands län' (a County object gives its own name)."""
    name = getattr(code, "name", None)
    if name:
        return str(name)
    code = str(code or "").strip()
    return COUNTY_NAMES.get(code, code)


def municipalities_by_county() -> list[tuple[str, list[tuple[str, str]]]]:
    """[(county name, [(municipality code, name), ...]), ...] for grouped selects: the
    county is the first two digits of the municipality code."""
    groups: dict[str, list[tuple[str, str]]] = {code: [] for code in COUNTY_NAMES}
    for code, name in municipalities().items():
        groups.setdefault(code[:2], []).append((code, name))
    return [
        (COUNTY_NAMES.get(county, county), sorted(rows, key=lambda row: _sv_key(row[1])))
        for county, rows in groups.items()
        if rows
    ]


def _sv_key(text: str) -> str:
    """Swedish alphabetical order: å, ä, ö after z."""
    order: dict[str, str | int | None] = {"å": "z{", "ä": "z|", "ö": "z}"}
    return text.lower().translate(str.maketrans(order))
