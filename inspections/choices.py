"""Code lists of joint controls (reference/domain-research.md §6.5), ASCII codes with Swedish
and English labels. Finding categories are tied to the agency that records them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    NATIONAL = "national", _("National")
    REGIONAL = "regional", _("Regional")
    LOCAL = "local", _("Local")


class SelectionBasis(models.TextChoices):
    RISK_RANKING = "risk_ranking", _("Risk ranking")
    RISK_INDUSTRY = "risk_industry", _("High-risk industry")
    INTELLIGENCE = "intelligence", _("Intelligence")
    TIP = "tip", _("Tip-off")
    RANDOM_IN_RISK_INDUSTRY = "random_in_risk_industry", _("Random within risk industry")
    FOLLOW_UP = "follow_up", _("Follow-up of earlier control")
    CAMPAIGN = "campaign", _("National campaign")
    AGENCY_INITIATIVE = "agency_initiative", _("Single-agency referral")


# What a pick from the risk ranking may be planned on (inspections.services.selection).
RANKING_BASES = [
    (SelectionBasis.RISK_RANKING.value, SelectionBasis.RISK_RANKING.label),
    (SelectionBasis.RANDOM_IN_RISK_INDUSTRY.value, SelectionBasis.RANDOM_IN_RISK_INDUSTRY.label),
]


class OperationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    FOLLOW_UP = "follow_up", _("Follow-up")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class WorkplaceType(models.TextChoices):
    BUILDING_SITE = "building_site", _("Building site")
    PREMISES = "premises", _("Premises")
    VEHICLE = "vehicle", _("Vehicle")
    FIELD = "field", _("Field or forest")
    OTHER = "other", _("Other")


class EmployerRole(models.TextChoices):
    EMPLOYER = "employer", _("Employer")
    BUILDER = "builder", _("Builder (byggherre)")
    SUBCONTRACTOR = "subcontractor", _("Subcontractor")
    STAFFING_AGENCY = "staffing_agency", _("Staffing agency")
    OTHER = "other", _("Other")


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    STAFFED = "staffed", _("Staffed")
    PERFORMED = "performed", _("Performed")
    DOCUMENTED = "documented", _("Documented")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")
    NOT_PERFORMED = "not_performed", _("Not performed")


class ParticipationMode(models.TextChoices):
    ON_SITE = "on_site", _("On site")
    DESK = "desk", _("Desk support")
    PLANNING = "planning", _("Planning only")


class AssignmentStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class FindingCategory(models.TextChoices):
    # Arbetsmiljöverket
    ARBETSMILJOBRIST = "arbetsmiljobrist", _("Work-environment deficiency")
    ARBETSTID = "arbetstid", _("Working-time violation")
    MASKIN_SKYDD = "maskin_skydd", _("Unguarded machinery")
    SKYDDSUTRUSTNING = "skyddsutrustning", _("Lack of protective equipment")
    BOENDE_PA_ARBETSPLATS = "boende_pa_arbetsplats", _("People living at the workplace")
    UTSTATIONERING = "utstationering", _("Posting of workers rules")
    # Skatteverket
    PERSONALLIGGARE_SAKNAS = "personalliggare_saknas", _("No staff register")
    PERSONALLIGGARE_BRIST = "personalliggare_brist", _("Deficient staff register")
    PERSON_EJ_ANTECKNAD = "person_ej_antecknad", _("Person not recorded in register")
    SVARTARBETE = "svartarbete", _("Undeclared work")
    # Polisen / Migrationsverket
    UTAN_ARBETSTILLSTAND = "utan_arbetstillstand", _("Working without a permit")
    OLAGLIG_VISTELSE = "olaglig_vistelse", _("Illegal stay")
    BROTT_UTLANNINGSLAGEN = "brott_utlanningslagen", _("Aliens Act offence")
    # Arbetsförmedlingen
    STODPERSON_EJ_PA_PLATS = "stodperson_ej_pa_plats", _("Subsidised person absent")
    VERKSAMHET_FINNS_EJ = "verksamhet_finns_ej", _("Business does not exist")
    ARBETSUPPGIFTER_EJ_MOJLIGA = "arbetsuppgifter_ej_mojliga", _("Tasks not possible")
    FORETRADARE_EGET_STOD = "foretradare_eget_stod", _("Representative receives own subsidy")
    # Försäkringskassan
    MISSTANKT_FELAKTIG_UTBETALNING = (
        "misstankt_felaktig_utbetalning",
        _("Suspected incorrect payment"),
    )
    # Every agency
    INDIKATOR_MANNISKOHANDEL = "indikator_manniskohandel", _("Trafficking indicator")
    INDIKATOR_EXPLOATERING = "indikator_exploatering", _("Exploitation indicator")
    OVRIGT_BROTT = "ovrigt_brott", _("Other crime")


COMMON_CATEGORIES = ("indikator_manniskohandel", "indikator_exploatering", "ovrigt_brott")
CATEGORIES_BY_AGENCY = {
    "av": (
        "arbetsmiljobrist",
        "arbetstid",
        "maskin_skydd",
        "skyddsutrustning",
        "boende_pa_arbetsplats",
        "utstationering",
    ),
    "skv": (
        "personalliggare_saknas",
        "personalliggare_brist",
        "person_ej_antecknad",
        "svartarbete",
    ),
    "polis": ("utan_arbetstillstand", "olaglig_vistelse", "brott_utlanningslagen"),
    "migr": ("utan_arbetstillstand", "olaglig_vistelse", "brott_utlanningslagen"),
    "af": (
        "stodperson_ej_pa_plats",
        "verksamhet_finns_ej",
        "arbetsuppgifter_ej_mojliga",
        "foretradare_eget_stod",
    ),
    "fk": ("misstankt_felaktig_utbetalning",),
    "ebm": ("svartarbete",),
}
TRAFFICKING_CATEGORIES = ("indikator_manniskohandel", "indikator_exploatering")


def categories_for(agency_code: str) -> tuple[str, ...]:
    """The finding categories an agency may record: its own list plus the common ones."""
    return CATEGORIES_BY_AGENCY.get(agency_code, ()) + COMMON_CATEGORIES


class DecisionType(models.TextChoices):
    FORELAGGANDE = "forelaggande", _("Injunction")
    FORBUD = "forbud", _("Prohibition")
    OMEDELBART_FORBUD = "omedelbart_forbud", _("Immediate prohibition")
    VITE = "vite", _("Conditional fine")
    SANKTIONSAVGIFT = "sanktionsavgift", _("Sanction fee")
    KONTROLLAVGIFT = "kontrollavgift", _("Control fee")
    SARSKILD_AVGIFT = "sarskild_avgift", _("Special fee (Aliens Act)")
    ATERKRAV = "aterkrav", _("Recovery claim")
    INDRAGEN_ERSATTNING = "indragen_ersattning", _("Benefit withdrawn")
    STOPP_AV_STOD = "stopp_av_stod", _("Subsidy stopped")
    ATERKALLAT_ARBETSTILLSTAND = "aterkallat_arbetstillstand", _("Work permit revoked")
    POLISANMALAN = "polisanmalan", _("Police report")
    ATALSANMALAN = "atalsanmalan", _("Report for prosecution")
    FORETAGSBOT = "foretagsbot", _("Corporate fine")
    NARINGSFORBUD = "naringsforbud", _("Trading ban")
    UTMATNING = "utmatning", _("Garnishment or seizure")


# Decision types that carry an amount in SEK.
MONETARY_DECISIONS = {
    "vite",
    "sanktionsavgift",
    "kontrollavgift",
    "sarskild_avgift",
    "aterkrav",
    "foretagsbot",
    "utmatning",
}


class DecisionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    DECIDED = "decided", _("Decided")
    APPEALED = "appealed", _("Appealed")
    FINAL = "final", _("Final")
    PAID = "paid", _("Paid")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# A decision's way after it is recorded (docs/reports.md "Decisions in force"): a proposal is
# decided or dropped; a decision may be appealed, becomes final, and a fee is paid; it may be
# withdrawn (e.g. on appeal) until it is paid.
DECISION_TRANSITIONS = {
    "proposed": {"decided", "withdrawn"},
    "decided": {"appealed", "final", "paid", "withdrawn"},
    "appealed": {"decided", "final", "withdrawn"},
    "final": {"paid", "withdrawn"},
    "paid": set(),
    "withdrawn": set(),
}
# Counted by the Lägesbild: decisions that stand (not a proposal, not withdrawn).
IN_FORCE = ("decided", "appealed", "final", "paid")


class ReportedLaw(models.TextChoices):
    """The law a police report or a report for prosecution concerns."""

    UTLANNINGSLAGEN = "utlanningslagen", _("Aliens Act (utlänningslagen)")
    ARBETSMILJOLAGEN = "arbetsmiljolagen", _("Work Environment Act (arbetsmiljölagen)")
    SKATTEBROTTSLAGEN = "skattebrottslagen", _("Tax Offences Act (skattebrottslagen)")
    MANNISKOHANDEL = (
        "manniskohandel",
        _("Human trafficking or exploitation (brottsbalken 4 kap.)"),
    )
    BOKFORINGSBROTT = "bokforingsbrott", _("Accounting offence (bokföringsbrott)")
    OTHER = "other", _("Other law")


# Decisions that are reports of a crime: they name the law concerned.
REPORTS_OF_CRIME = ("polisanmalan", "atalsanmalan")


class RightToWork(models.TextChoices):
    EU_EEA_CITIZEN = "eu_eea_citizen", _("EU/EEA/Swiss citizen")
    VALID_PERMIT = "valid_permit", _("Valid work permit")
    EXEMPT = "exempt", _("Exempt from permit")
    NO_RIGHT_TO_WORK = "no_right_to_work", _("No right to work")
    STAYING_ILLEGALLY = "staying_illegally", _("Staying illegally")
    UNKNOWN = "unknown", _("Unknown / not verified")


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class ImportStatus(models.TextChoices):
    """A spreadsheet import's job (inspections/imports.py): the same states as a report build."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")
