"""Every route that can show a protected record is classified, and shows it by the rule.

`ROUTES` names each URL of the URL conf and the API router with what it can show: one
record ("one"; a POST whose failed form re-renders the record page counts as one), a list
("list"), or no protected record ("none": sign-in pages, writes that redirect, the schema).
The first test fails when a route is added without a line here, so a new route cannot skip
the question "does this show a record, and is its read recorded?" (docs/access.md, "Reads
are recorded"). The admin is walked by model: every registered model is classified too.

tests/inspections/test_record_reads.py and tests/cases/test_record_reads.py request the
routes that show one record as a user authorised for it and count the read events; the
cases walk fails when a cases route classified "one" here has no line there.
"""

from django.contrib import admin
from django.urls import URLResolver, get_resolver

ONE, LIST, NONE = "one", "list", "none"

ROUTES = {
    # network
    "home": NONE,
    "health": NONE,
    "login": NONE,
    "logout": NONE,
    "set_language": NONE,
    "password_change": NONE,
    "password_change_done": NONE,
    "password_reset": NONE,
    "password_reset_complete": NONE,
    "password_reset_confirm": NONE,
    "password_reset_done": NONE,
    "two_factor_enrol": NONE,
    "two_factor_verify": NONE,
    "network:audit_list": LIST,
    "network:audit_review": ONE,
    "network:audit_sample": LIST,
    "network:directory": LIST,
    "network:token_list": LIST,
    "api-docs": NONE,
    "schema": NONE,
    "api-me": ONE,
    "api-token": NONE,
    "agency-list": LIST,
    "agency-detail": ONE,
    "auditevent-list": LIST,
    "auditevent-detail": ONE,
    "auditevent-review": NONE,
    "auditevent-sample": LIST,
    # cases
    "cases:case_list": LIST,
    "cases:case_detail": ONE,
    "cases:case_create": NONE,
    "cases:case_update": ONE,
    "cases:case_note": ONE,
    "cases:case_share": ONE,
    "cases:case_unshare": NONE,
    "cases:case_grant": ONE,
    "cases:case_revoke_grant": NONE,
    "cases:case_attachment_upload": ONE,
    "cases:case_attachment_download": ONE,
    "cases:case_export": LIST,
    "cases:break_the_glass": NONE,
    "cases:review_list": LIST,
    "cases:review_decide": NONE,
    "case-list": LIST,
    "case-detail": ONE,
    "case-export": LIST,
    "case-break-the-glass": NONE,  # answers 202 without the case
    "case-attachments": LIST,
    "case-download-attachment": ONE,
    "case-grants": LIST,
    "case-revoke-grant": NONE,
    "case-notes": LIST,
    "case-shares": LIST,
    "case-unshare": NONE,
    "accessreview-list": LIST,
    "accessreview-detail": ONE,
    "accessreview-review": NONE,
    "employer-list": LIST,
    "employer-detail": ONE,
    "employer-profile": ONE,
    "referrals:referral_list": LIST,
    "referrals:referral_detail": ONE,
    "referrals:referral_create": NONE,
    "referrals:referral_note": ONE,
    "referrals:referral_reflection_apply": ONE,
    "referrals:referral_reflection_decide": ONE,
    "referrals:referral_reveal": ONE,
    "referrals:referral_share": ONE,
    "referrals:referral_status": ONE,
    "referrals:referral_support": ONE,
    "referrals:referral_withdraw_consent": ONE,
    "referral-list": LIST,
    "referral-detail": ONE,
    "referral-htcds": LIST,
    "referral-statistics": NONE,
    "referral-change-status": ONE,
    "referral-decide-reflection-period": ONE,
    "referral-notes": LIST,
    "referral-reflection-periods": LIST,
    "referral-reveal": ONE,
    "referral-set-owner": ONE,
    "referral-share": ONE,
    "referral-support": ONE,
    "referral-withdraw-consent": ONE,
    "tips:tip_form": NONE,
    "tips:tip_list": LIST,
    "tips:tip_detail": ONE,
    "tip-list": LIST,
    "tip-detail": ONE,
    "tip-triage": ONE,
    # inspections
    "inspections:inspection_list": LIST,
    "inspections:inspection_calendar": LIST,
    "inspections:inspection_create": NONE,
    "inspections:inspection_detail": ONE,
    "inspections:inspection_results": ONE,
    "inspections:inspection_assign": ONE,
    "inspections:inspection_cancel": ONE,
    "inspections:inspection_close": ONE,
    "inspections:inspection_not_performed": ONE,
    "inspections:inspection_not_reporting": ONE,
    "inspections:inspection_perform": ONE,
    "inspections:inspection_respond": ONE,
    "inspections:inspection_submit_results": ONE,
    "inspections:results_decision": ONE,
    "inspections:results_finding": ONE,
    "inspections:results_follow_up": ONE,
    "inspections:results_persons": ONE,
    "inspections:results_submit": ONE,
    "inspections:results_visit": ONE,
    "inspections:decision_status": ONE,
    "inspections:attachment_upload": ONE,
    "inspections:attachment_download": ONE,
    "inspections:inspection_export": LIST,
    "inspections:inspection_import": NONE,
    "inspections:import_job": ONE,
    "inspections:import_checked": NONE,
    "inspections:operation_board": LIST,
    "inspections:operation_create": NONE,
    "inspections:operation_status": NONE,
    "inspections:operation_cancel": NONE,
    "inspections:follow_up_list": LIST,
    "inspections:follow_up_complete": NONE,
    "inspections:risk_candidates": LIST,
    "inspections:industry_risk": LIST,
    "inspections:industry_risk_change": ONE,
    "inspections:employer_profile": ONE,
    "inspections:employer_link": NONE,
    "inspections:employer_search": LIST,
    "inspection-list": LIST,
    "inspection-detail": ONE,
    "inspection-export": LIST,
    "inspection-import-file": NONE,
    "inspection-import-detail": ONE,
    "inspection-assignments": LIST,
    "inspection-attachments": LIST,
    "inspection-download-attachment": ONE,
    "inspection-cancel": ONE,
    "inspection-close": ONE,
    "inspection-decisions": LIST,
    "inspection-decision-status": ONE,
    "inspection-findings": LIST,
    "inspection-follow-ups": LIST,
    "inspection-not-performed": ONE,
    "inspection-perform": ONE,
    "inspection-persons": LIST,
    "inspection-respond": ONE,
    "inspection-submit-results": ONE,
    "finding-list": LIST,
    "finding-detail": ONE,
    "finding-disclose": ONE,
    "followup-list": LIST,
    "followup-detail": ONE,
    "followup-complete": ONE,
    "operation-list": LIST,
    "operation-detail": ONE,
    "operation-change-status": ONE,
    "risk-candidates": LIST,
    "risk-plan": NONE,
    # reports
    "reports:report_home": LIST,
    "reports:request_build": NONE,
    "reports:build_detail": ONE,
    "reports:download": ONE,
    "reports:hit_rate": NONE,
    "reports:annual_report": ONE,
    "reports:published_history": NONE,
    "reports:open_data": NONE,
    "reports:open_data_file": NONE,
    "report-list": LIST,
    "report-detail": ONE,
    "report-download": ONE,
    "report-figures": ONE,
}

# The admin shows one record on its change page and a list on its changelist.
ADMIN_MODELS = {
    # Case records: the change page shows the case (a read, recorded with its basis:
    # tests/cases/test_record_reads.py); access reviews and employers show no case content.
    "cases.case": ONE,
    "cases.accessreview": ONE,
    "cases.employer": ONE,
    # Control operations, read-only and scoped like the board.
    "inspections.controloperation": ONE,
    # The network's own records, sign-in protection and the outbox: no case or referral data.
    "network.agency": NONE,
    "network.auditevent": NONE,
    "network.centre": NONE,
    "network.contact": NONE,
    "network.county": NONE,
    "network.membership": NONE,
    "network.outboxmessage": NONE,
    "network.rolegroup": NONE,
    "network.user": NONE,
    "auth.group": NONE,
    "axes.accessattempt": NONE,
    "axes.accessfailurelog": NONE,
    "axes.accesslog": NONE,
    "otp_static.staticdevice": NONE,
    "otp_totp.totpdevice": NONE,
}


def _names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _names(pattern.url_patterns, inner)
        elif pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_route_is_classified():
    routes = {name for name in _names(get_resolver().url_patterns) if not name.startswith("admin:")}
    assert sorted(routes - set(ROUTES)) == [], "classify the new route in ROUTES"
    assert sorted(set(ROUTES) - routes) == [], "a classified route no longer exists"


def test_every_admin_model_is_classified():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert sorted(registered - set(ADMIN_MODELS)) == [], "classify the new admin model"
