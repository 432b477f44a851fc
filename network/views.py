from typing import Any

from django.contrib import messages
from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView

from network import audit_text, inbox, tokens
from network.filters import AuditEventFilterSet
from network.forms import SampleForm, dress_audit_filter_form
from network.http import user_of
from network.mixins import CapabilityRequiredMixin
from network.models import Agency, AuditEvent, AuditEventReview, Role, User, WorkerHeartbeat
from network.services import mark_event_reviewed, sample_events
from network.tables import AuditEventTable, TableListView


class HomeView(CapabilityRequiredMixin, TemplateView):
    """The start page: a task inbox of what is waiting for the person and their agency.

    The view lives in `network` and names no upper app: each app contributes its items
    through a provider in `<app>/inbox.py`, found by `network.inbox.discover` (the pattern
    Django's admin uses for `admin.py`), so the layering `reports -> inspections -> cases ->
    network` holds and a new kind of task needs no change here (docs/access.md, "The start
    page")."""

    template_name = "network/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = user_of(self.request)
        membership = user.active_membership
        context["membership"] = membership
        context["roles"] = membership.roles if membership else []
        context["Role"] = Role
        context["items"] = inbox.items_for(user)
        return context


class DirectoryView(CapabilityRequiredMixin, TemplateView):
    """The network directory: every agency and its contact persons for the network's work."""

    template_name = "network/directory.html"
    required_capability = "network.view_contact"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["agencies"] = Agency.objects.filter(active=True).prefetch_related("contacts")
        return context


class AuditEventListView(TableListView):
    """The audit trail of the auditor's own agency, filterable like the API, newest first in
    keyset pages (the trail grows with every read: nothing is counted)."""

    required_capability = "network.view_auditevent"
    template_name = "network/auditevent_list.html"
    filterset_class = AuditEventFilterSet
    context_object_name = "events"
    table_class = AuditEventTable

    def get_queryset(self) -> QuerySet[AuditEvent]:
        return AuditEvent.objects.visible_to(user_of(self.request))

    def get_filterset(self) -> Any:
        filterset = super().get_filterset()
        dress_audit_filter_form(filterset.form, user=user_of(self.request))
        return filterset

    def page_rows(self, rows: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        return rows.annotate(reviewed=Exists(AuditEventReview.objects.filter(event=OuterRef("pk"))))

    def decorate(self, rows: list[Any]) -> list[Any]:
        events = audit_text.describe(rows)
        # Names, not usernames: one query for the people on the page.
        people = User.objects.filter(username__in={e.actor_username for e in events})
        names = {person.username: person.get_full_name() for person in people}
        for event in events:
            event.actor_name = names.get(event.actor_username, "")
        return events


class AuditSampleView(CapabilityRequiredMixin, View):
    """Draw a random sample of unreviewed events of the auditor's agency and mark them
    reviewed one by one (*logguppföljning*)."""

    required_capability = "network.view_auditevent"
    template_name = "network/audit_sample.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        events = AuditEvent.objects.visible_to(request.user)
        drawn = self.drawn_sample(events, request.GET.get("sample", ""))
        if drawn is not None:
            ids = [pk for pk in (drawn.changes or {}).get("ids", []) if isinstance(pk, int)]
            sample = list(events.filter(pk__in=ids, review__isnull=True).order_by("-at", "-id"))
            context = {"form": SampleForm(), "sample": audit_text.describe(sample), "drawn": drawn}
            return render(request, self.template_name, context)
        form = SampleForm(request.GET or None)
        if form.is_valid():
            actor = user_of(request)
            sample_events(events, size=form.cleaned_data["n"], actor=actor)
            # Show the sample at its own address, so marking one event reviewed (which comes
            # back here) keeps the same sample instead of drawing a new one.
            drawn = events.filter(action="audit.sampled", actor=actor).first()
            if drawn is not None:  # just recorded, in the auditor's own agency
                return redirect(f"{request.path}?sample={drawn.pk}")
        return render(request, self.template_name, {"form": form, "sample": []})

    @staticmethod
    def drawn_sample(events: QuerySet[AuditEvent], value: str) -> AuditEvent | None:
        if not value.isdigit():
            return None
        return events.filter(action="audit.sampled", pk=int(value)).first()


class AuditReviewView(CapabilityRequiredMixin, View):
    required_capability = "network.add_auditeventreview"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        event = get_object_or_404(AuditEvent.objects.visible_to(request.user), pk=pk)
        mark_event_reviewed(event, note=request.POST.get("note", "")[:4000], actor=user_of(request))
        messages.success(request, _("The event is marked as reviewed."))
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = "network:audit_list"
        return redirect(target)


class TokenListView(CapabilityRequiredMixin, View):
    """A person's own API tokens: when each was issued, when it expires, whether it was
    issued after two-factor login; revoke one or all (network.tokens). The tokens
    themselves are never shown again: only their first characters identify them."""

    template_name = "network/token_list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        context = {
            "tokens": tokens.tokens_of(user_of(request)),
            "token_url": request.build_absolute_uri(reverse("api-token")),
        }
        response = render(request, self.template_name, context)
        response["Cache-Control"] = "no-store"
        return response

    def post(self, request: HttpRequest) -> HttpResponse:
        key = request.POST.get("token", "")
        user = user_of(request)
        if request.POST.get("all"):
            count = tokens.revoke_tokens(user, reason="revoked by the user", actor=user)
            messages.success(
                request,
                ngettext("%(n)s token revoked.", "%(n)s tokens revoked.", count) % {"n": count},
            )
        elif key and tokens.revoke_token(user, token_key=key[:25], actor=user):
            messages.success(request, _("The token is revoked and no longer works."))
        else:
            messages.error(request, _("There is no such token."))
        return redirect("network:token_list")


def health(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness for load balancers and operators: database reachable, and when
    the worker last ran its heartbeat. 503 when the database cannot be reached."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        beat = WorkerHeartbeat.objects.filter(name="worker").first()
    except DatabaseError:
        return JsonResponse({"database": "unavailable"}, status=503)
    return JsonResponse(
        {
            "database": "ok",
            "time": timezone.now().isoformat(),
            "worker_heartbeat": beat.at.isoformat() if beat else None,
        }
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        # A path the API's routes do not match (an id that is no number, say) is answered
        # in the API's own shape, not with the HTML page (docs/security.md, V13).
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return render(request, "404.html", status=404)
