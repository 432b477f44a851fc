"""Celery tasks of the cases app."""

from celery import shared_task

from cases.coordination import services as case_services
from cases.referrals import services as referral_services


@shared_task(name="cases.tasks.purge_expired_grants", ignore_result=True)
def purge_expired_grants() -> int:
    """Beat runs this every few minutes. Expired grants already give no access (visible_to
    checks the expiry); this removes the rows and audits each removal."""
    return case_services.purge_expired_grants()


@shared_task(name="cases.tasks.anonymise_referrals", ignore_result=True)
def anonymise_referrals() -> int:
    """Daily: anonymise personal data of referrals past the retention period."""
    return referral_services.anonymise_due_referrals()


@shared_task(name="cases.tasks.remind_reflection_periods", ignore_result=True)
def remind_reflection_periods() -> int:
    """Daily: remind case owners that a reflection period ends within five days."""
    return referral_services.remind_reflection_periods_ending()
