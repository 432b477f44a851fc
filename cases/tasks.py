"""Celery tasks of the cases app."""

from celery import shared_task

from cases import services


@shared_task(name="cases.tasks.purge_expired_grants", ignore_result=True)
def purge_expired_grants() -> int:
    """Beat runs this every few minutes. Expired grants already give no access (visible_to
    checks the expiry); this removes the rows and audits each removal."""
    return services.purge_expired_grants()
