"""Referral exports: the IOM Human Trafficking Case Data Standard (HTCDS v2.0) for those who
may see the rows, and k-anonymous statistics for everyone with the statistics capability.

Neither carries a direct identifier: no identity number, name or full birth date ever leaves
through an export. Both are audited.
"""

from django.conf import settings
from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Cast, ExtractYear

from cases.referrals.models import VictimReferral
from network.exports import csv_text
from network.models import AuditEvent
from network.services import record_event
from network.sni import HTCDS_INDUSTRY, section_of

# The HTCDS fields exported, in order (IOM HTCDS v2.0, see docs/architecture.md "Standards"). `x_akrim_*` are our extensions.
HTCDS_FIELDS = [
    "cas_CaseID",
    "cas_Status",
    "cas_CaseOwner",
    "ReferringOrganisation",
    "IncomingReferralDate",
    "ReferredOrganisation",
    "prs_Gender",
    "prs_BirthYear",
    "prs_Citizenship",
    "prs_PrimaryLanguage",
    "vic_TraffickingStatus",
    "vic_TraffickingStatusDecisionMakingOrg",
    "vic_TypeOfExploitation",
    "vic_MethodsOfControl",
    "vic_ForcedLabourIndustry",
    "vic_AgreementToManagePersonalData",
    "x_akrim_IloIndicators",
    "x_akrim_IsChild",
]
HTCDS_STATUS = {
    "closed": "Closed",
    "not_a_victim": "Closed",
    "closed_referred": "ClosedReferred",
    "support_ongoing": "FollowUp",
    "residence_permit": "FollowUp",
}
HTCDS_GENDER = {"female": "Feminine", "male": "Masculine"}


def htcds_rows(referrals, *, actor) -> list[dict]:
    """One HTCDS record per visible referral. Language is left out when the referral is
    anonymised (it is then empty anyway)."""
    rows = []
    for r in referrals.select_related("referring_agency", "receiving_agency").iterator(
        chunk_size=500
    ):
        rows.append(
            {
                "cas_CaseID": r.reference,
                "cas_Status": HTCDS_STATUS.get(r.status, "Active"),
                "cas_CaseOwner": r.receiving_agency.name_sv
                if r.receiving_agency
                else r.receiving_body,
                "ReferringOrganisation": r.referring_agency.name_sv,
                "IncomingReferralDate": r.created_at.date().isoformat(),
                "ReferredOrganisation": r.get_receiving_body_display(),
                "prs_Gender": HTCDS_GENDER.get(r.sex, "NonSpecifiedUnknown"),
                "prs_BirthYear": r.birth_year or "",
                "prs_Citizenship": r.nationality.code or "",
                "prs_PrimaryLanguage": r.language,
                "vic_TraffickingStatus": "NotAVictimOfTrafficking"
                if r.status == "not_a_victim"
                else "PossibleVictimOfTrafficking",
                "vic_TraffickingStatusDecisionMakingOrg": "NonPoliceGovernmentalOrganization",
                "vic_TypeOfExploitation": ";".join(r.exploitation_types),
                "vic_MethodsOfControl": ";".join(r.methods_of_control),
                "vic_ForcedLabourIndustry": HTCDS_INDUSTRY.get(section_of(r.industry_sni), ""),
                "vic_AgreementToManagePersonalData": r.consent_support or r.is_child,
                "x_akrim_IloIndicators": ";".join(r.indicators),
                "x_akrim_IsChild": r.is_child,
            }
        )
    record_event(
        "referral.exported",
        actor=actor,
        object_type="cases.victimreferral",
        purpose="HTCDS export",
        changes={"rows": len(rows), "ids": [row["cas_CaseID"] for row in rows]},
    )
    return rows


def as_csv(rows: list[dict]) -> str:
    """The HTCDS records as CSV, through the one export writer (network/exports.py)."""
    return csv_text(HTCDS_FIELDS, ([row.get(field, "") for field in HTCDS_FIELDS] for row in rows))


AGE_BANDS = [(0, 17, "0-17"), (18, 25, "18-25"), (26, 35, "26-35"), (36, 50, "36-50")]


def _age_band():
    """Age at referral in bands, computed in the database from the annotated `age`."""
    whens = [When(birth_year__isnull=True, then=Value("unknown"))] + [
        When(age__gte=low, age__lte=high, then=Value(label)) for low, high, label in AGE_BANDS
    ]
    return Case(*whens, default=Value("51+"), output_field=CharField())


# A group is published only when it has at least this many referring agencies among its
# counted referrals (docs/security.md "Statistics that padding cannot open").
MIN_REFERRING_AGENCIES = 2


def accepted_referrals():
    """Referrals the receiving agency has taken on: someone of the receiving agency moved the
    referral's status at least once (an audited `referral.status_changed`), and the receiving
    agency is not the referring one. Read from the append-only audit trail, which no one
    can write to by hand, so one agency's people can never accept their own referrals
    (docs/security.md "Statistics that padding cannot open")."""
    taken_on = AuditEvent.objects.filter(
        action="referral.status_changed",
        object_type="cases.victimreferral",
        object_id=Cast(OuterRef("pk"), CharField()),
        agency_id=OuterRef("receiving_agency_id"),
    )
    return (
        VictimReferral.objects.filter(receiving_agency__isnull=False)
        .exclude(receiving_agency_id=F("referring_agency_id"))
        .filter(Exists(taken_on))
    )


def k_anonymous_statistics(*, actor, k: int | None = None) -> dict:
    """Referrals whose person consented to statistics, counted in the database by year, sex,
    age band, nationality and exploitation types.

    Only referrals accepted by their receiving agency count (`accepted_referrals`), and a group
    is published only when it holds at least k of them from at least two referring agencies;
    so nobody can open a real person's group by padding it with referrals they made up
    (docs/security.md). How many consented referrals stay unpublished is given, never where."""
    k = k or settings.AKRIM_REFERRAL_K_ANONYMITY
    consented = VictimReferral.objects.filter(consent_statistics=True)
    grouped = (
        accepted_referrals()
        .filter(consent_statistics=True)
        .annotate(year=ExtractYear("created_at"), age=ExtractYear("created_at") - F("birth_year"))
        .annotate(age_band=_age_band())
        .values("year", "sex", "age_band", "nationality", "exploitation_types")
        .annotate(
            count=Count("id"),
            referring_agencies=Count("referring_agency", distinct=True),
        )
        .filter(Q(count__gte=k) & Q(referring_agencies__gte=MIN_REFERRING_AGENCIES))
        .order_by("year", "sex", "age_band", "nationality")
    )
    groups = [
        {
            "year": group["year"],
            "sex": group["sex"],
            "age_band": group["age_band"],
            "nationality": group["nationality"],
            "exploitation_types": ";".join(group["exploitation_types"]),
            "count": group["count"],
        }
        for group in grouped
    ]
    suppressed = consented.count() - sum(group["count"] for group in groups)
    record_event(
        "referral.statistics_exported",
        actor=actor,
        object_type="cases.victimreferral",
        changes={"k": k, "groups": len(groups), "suppressed_rows": suppressed},
    )
    return {"k": k, "groups": groups, "suppressed_rows": suppressed}
