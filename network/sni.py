"""SNI 2007 sections: the letter for a code's two-digit division (SCB's SNI 2007).

Reference data used by every app (workplaces, employers, referrals), so it lives at the
bottom of the app stack. Used in Python for display and in SQL (`section_expression`) so
reports can group by section in the database. SNI sections are the NACE/ISIC sections, which
is what HTCDS's ForcedLabourIndustry uses."""

import csv
import functools
from pathlib import Path
from typing import Any

from django.db.models import Case, CharField, Value, When
from django.db.models.functions import Substr
from django.db.models.lookups import In

# (first division, last division, section)
SECTIONS = [
    (1, 3, "A"),
    (5, 9, "B"),
    (10, 33, "C"),
    (35, 35, "D"),
    (36, 39, "E"),
    (41, 43, "F"),
    (45, 47, "G"),
    (49, 53, "H"),
    (55, 56, "I"),
    (58, 63, "J"),
    (64, 66, "K"),
    (68, 68, "L"),
    (69, 75, "M"),
    (77, 82, "N"),
    (84, 84, "O"),
    (85, 85, "P"),
    (86, 88, "Q"),
    (90, 93, "R"),
    (94, 96, "S"),
    (97, 98, "T"),
    (99, 99, "U"),
]


def section_of(code: str) -> str:
    """'56.100' -> 'I'; '' for a code outside SNI 2007."""
    try:
        division = int(str(code)[:2])
    except ValueError:
        return ""
    for first, last, letter in SECTIONS:
        if first <= division <= last:
            return letter
    return ""


def section_expression(field: str) -> Case:
    """A database expression giving the section letter of an SNI code column (a CASE over
    the code's first two characters: plain string comparisons, cheap on millions of rows)."""
    division = Substr(field, 1, 2)
    whens = [
        When(In(division, [f"{d:02d}" for d in range(a, b + 1)]), then=Value(letter))
        for a, b, letter in SECTIONS
    ]
    return Case(*whens, default=Value(""), output_field=CharField())


# HTCDS ForcedLabourIndustry names of the ISIC sections (IOM HTCDS v2.0).
HTCDS_INDUSTRY = {
    "A": "A_AgricultureForestryAndFishing",
    "B": "B_MiningAndQuarrying",
    "C": "C_Manufacturing",
    "D": "D_ElectricityGasSteamAndAirConditioningSupply",
    "E": "E_WaterSupplySewerageWasteManagementAndRemediationActivities",
    "F": "F_Construction",
    "G": "G_WholesaleAndRetailTradeRepairOfMotorVehiclesAndMotorcycles",
    "H": "H_TransportationAndStorage",
    "I": "I_AccommodationAndFoodServiceActivities",
    "J": "J_InformationAndCommunication",
    "K": "K_FinancialAndInsuranceActivities",
    "L": "L_RealEstateActivities",
    "M": "M_ProfessionalScientificAndTechnicalActivities",
    "N": "N_AdministrativeAndSupportServiceActivities",
    "O": "O_PublicAdministrationAndDefenceCompulsorySocialSecurity",
    "P": "P_Education",
    "Q": "Q_HumanHealthAndSocialWorkActivities",
    "R": "R_ArtsEntertainmentAndRecreation",
    "S": "S_OtherServiceActivities",
    "T": "T_ActivitiesOfHouseholdsAsEmployers",
    "U": "U_ActivitiesOfExtraterritorialOrganizationsAndBodies",
}


# --- Swedish titles -------------------------------------------------------------------------
# SCB's SNI 2007 titles (network/data/sni2007.csv): the 21 sections, the 88 divisions, and
# the groups, classes and subclasses akrim's data and risk table use. A code without its own
# row takes the title of its nearest parent ("43.991" -> 43.99 -> 43.9 -> 43).


@functools.cache
def titles() -> dict[str, str]:
    path = Path(__file__).resolve().parent / "data" / "sni2007.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: row["title"] for row in csv.DictReader(handle)}


def _normalise(code: object) -> str:
    """'41.200' -> '41.2' (SCB writes the subclass 41.200, the class 41.20, the group 41.2:
    trailing zeros add no detail)."""
    head, dot, tail = str(code or "").strip().partition(".")
    tail = tail.rstrip("0")
    return f"{head}.{tail}" if dot and tail else head


def title_of(code: object) -> str:
    """The Swedish title of an SNI code or section letter; '' when unknown."""
    code = _normalise(code)
    known = titles()
    if code.isalpha():
        return known.get(code.upper(), "")
    while code:
        if code in known:
            return known[code]
        code = code[:-1].rstrip(".")
    return ""


def section_title(code: Any) -> str:  # a code or a letter from a template
    """The title of the section a code belongs to ('41.200' -> 'Byggverksamhet')."""
    letter = code.upper() if str(code).isalpha() else section_of(code)
    return titles().get(letter, "")


# --- choosing a code in the browser -------------------------------------------------------
# A person picks an industry from SCB's titles (network/forms.py SniCodeField); the codes on
# offer are those of network/data/sni2007.csv, nothing else.


def written(code: str) -> str:
    """A code the way people see it on a company's registration: the division as two
    digits, anything finer as a five-digit subclass ('41.2' -> '41.200', '43.11' -> '43.110')."""
    head, dot, tail = str(code).partition(".")
    return f"{head}.{tail.ljust(3, '0')}" if dot else head


def known(code) -> str:
    """SCB's own form of a code in the reference list ('41.200' -> '41.2'); '' if the code
    (a division or finer) is not in it."""
    code = _normalise(code)
    return code if code[:2].isdigit() and code in titles() else ""


@functools.cache
def code_choices() -> tuple[tuple[str, str, str], ...]:
    """(section title, SCB code, title) of every division and finer code in the list, in
    code order: what a picker offers."""

    def order(code: str):
        return [int(part) for part in code.split(".")]

    codes = sorted((c for c in titles() if c[:1].isdigit()), key=order)
    return tuple((section_title(c), c, titles()[c]) for c in codes)


def picker_label(code) -> str:
    """'41.200 Byggande av bostadshus och andra byggnader', what a single-code picker shows
    and what it sends back."""
    scb = known(code)
    return f"{written(scb)} {titles()[scb]}" if scb else str(code or "")
