"""Celery tasks of joint controls. Thin: ids in, claim the row, do the work."""

from celery import shared_task
from django.apps import apps
from django.conf import settings
from django.core.mail import send_mass_mail
from django.urls import reverse
from django.utils import timezone

from network.models import Membership, Role


@shared_task(name="inspections.tasks.notify_assignment", ignore_result=True, acks_late=True)
def notify_assignment(assignment_id: int) -> int:
    """Tell the assigned agency's caseworkers and coordinators that there is an assignment.

    The mail names no workplace, employer or date: an unannounced control must not leak
    through e-mail. The row is claimed first, so a redelivered task sends nothing twice."""
    assignment_model = apps.get_model("inspections", "AgencyAssignment")
    claimed = assignment_model.objects.filter(pk=assignment_id, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    if not claimed:
        return 0
    assignment = assignment_model.objects.select_related("inspection", "agency").get(
        pk=assignment_id
    )
    recipients = sorted(
        {
            m.user.email
            for m in Membership.objects.filter(agency=assignment.agency, active=True)
            .select_related("user")
            .exclude(user__email="")
            if {Role.STAFF, Role.COORDINATOR} & set(m.roles)
        }
    )
    link = settings.AKRIM_BASE_URL.rstrip("/") + reverse(
        "inspections:inspection_detail", args=[assignment.inspection_id]
    )
    subject = "akrim: ny förfrågan om gemensam kontroll"
    body = (
        f"{assignment.agency.name_sv} har fått en förfrågan om att delta i en gemensam "
        f"kontroll ({assignment.inspection.reference}).\n\n"
        f"Logga in för att se den och svara: {link}\n\n"
        "Kontrollen är oanmäld. Berätta inte om den för någon utanför uppdraget."
    )
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [email]) for email in recipients]
    return send_mass_mail(messages, fail_silently=False)


@shared_task(name="inspections.tasks.refresh_ranking_facts", ignore_result=True)
def refresh_ranking_facts() -> int:
    """Rebuild the stale ranking facts every minute, so that a ranking seldom has to."""
    from inspections import facts

    return facts.refresh()
