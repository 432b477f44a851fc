"""Risk-based selection in the browser: the employer profile, the risk candidates a
coordinator plans from, and the joint risk assessment table (the HTML twin of
inspections/api/risk.py, with the same rules).

Reads start at `visible_to(user)` (inspections.profile, inspections.risk); writes go through
the services (plan_from_ranking, save_industry_risk, cases' decide_employer_link), which
audit them. An unknown or invalid organisation number answers 404, a missing capability 403,
bad input re-renders the page with the errors next to the fields (400), a stale version 409.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from cases.employers.models import Employer
from cases.tips import services as tip_services
from cases.tips.models import EmployerLink, LinkStatus, Tip
from cases.tips.policies import is_tip_coordinator
from inspections import policies, profile, risk
from inspections.choices import RANKING_BASES, EmployerRole
from inspections.forms import CandidateQueryForm, IndustryRiskForm, PlanForm
from inspections.models import ControlOperation, IndustryRisk
from inspections.services import selection
from network.exceptions import StaleVersion
from network.http import user_of
from network.identifiers import parse_orgnr
from network.mixins import CapabilityRequiredMixin
from network.models import Centre

DEFAULT_CENTRE = "stockholm"
STALE = gettext_lazy("Someone else has changed this in the meantime. Reload and try again.")
MATCH_LABELS = {
    "name": gettext_lazy("name"),
    "address": gettext_lazy("address"),
    "phone": gettext_lazy("phone"),
}


def employer_or_404(orgnr: str) -> Employer:
    """The employer with this number (with or without dash); 404 if invalid or unknown."""
    try:
        digits = parse_orgnr(orgnr).digits
    except ValidationError:
        raise Http404 from None
    return get_object_or_404(Employer, orgnr=digits)


# --- the employer profile ------------------------------------------------------------------


class EmployerProfileView(CapabilityRequiredMixin, TemplateView):
    """Everything the person may see about one employer, on one page. Tip coordinators also
    decide here which tips without an organisation number are about it (linked, not merged)."""

    template_name = "inspections/employer_profile.html"
    required_capability = "cases.work_on_employers"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = user_of(self.request)
        employer = employer_or_404(kwargs["orgnr"])
        data = profile.build(employer, user=user)
        selection.record_profile_read(employer, actor=user)
        candidates, confirmed = [], []
        if data.may_link:
            links = {
                link.tip_id: link
                for link in EmployerLink.objects.filter(
                    employer=employer, tip__in=Tip.objects.visible_to(user).values("pk")
                ).select_related("tip", "decided_by")
            }
            candidates = [
                {
                    "tip": tip,
                    "reasons": [MATCH_LABELS.get(r, r) for r in reasons],
                    "version": links[tip.pk].version if tip.pk in links else 0,
                }
                for tip, reasons in data.link_candidates
            ]
            confirmed = [link for link in links.values() if link.status == LinkStatus.CONFIRMED]
            confirmed.sort(key=lambda link: link.decided_at, reverse=True)
        for other in data.co_employers:
            other.role_labels = [str(EmployerRole(r).label) for r in other.roles]
        context.update(
            employer=employer,
            profile=data,
            co_employers=data.co_employers,
            candidates=candidates,
            confirmed_links=confirmed,
        )
        return context


class EmployerLinkView(CapabilityRequiredMixin, View):
    """Confirm or reject that a tip is about the employer, or undo that decision (POST)."""

    http_method_names = ["post"]
    required_capability = "cases.work_on_employers"

    def post(self, request, orgnr):
        employer = employer_or_404(orgnr)
        if not is_tip_coordinator(request.user):
            raise PermissionDenied
        tip_id = request.POST.get("tip", "")
        if not (tip_id.isascii() and tip_id.isdigit()):
            raise Http404
        tip = get_object_or_404(Tip.objects.visible_to(request.user), pk=int(tip_id))
        version = request.POST.get("version", "")
        decision = request.POST.get("decision", "")
        url = reverse("inspections:employer_profile", args=[employer.orgnr]) + "#tip-links"
        try:
            tip_services.decide_employer_link(
                employer,
                tip=tip,
                decision=decision,
                version=int(version) if version.isascii() and version.isdigit() else None,
                actor=request.user,
            )
        except StaleVersion:
            messages.error(request, STALE)
            return redirect(url)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(url)
        done = {
            LinkStatus.CONFIRMED: _("Tip %(code)s is linked to %(name)s."),
            LinkStatus.REJECTED: _("Tip %(code)s is marked as not about %(name)s."),
            LinkStatus.UNDONE: _("The decision on tip %(code)s is undone."),
        }[decision]
        messages.success(request, done % {"code": tip.code, "name": employer.name})
        return redirect(url)


# --- risk candidates -----------------------------------------------------------------------


def plannable_operations(user):
    """Operations the person's agency coordinates that are still being planned."""
    membership = user.active_membership
    if membership is None:
        return ControlOperation.objects.none()
    return (
        ControlOperation.objects.visible_to(user)
        .filter(
            coordinating_agency_id=membership.agency_id,
            status__in=selection.PLANNABLE_OPERATION_STATES,
        )
        .select_related("centre")
        .order_by("period_start", "id")
    )


class RiskCandidatesView(CapabilityRequiredMixin, TemplateView):
    """The ranked candidate workplaces for a centre, period and focus industries, each with
    the factors behind its score; under the list, a form to plan the ticked ones."""

    template_name = "inspections/risk/candidates.html"
    required_capability = "inspections.coordinate_inspection"
    query_fields = ("centre", "industries", "period", "limit")

    def query_form(self, data):
        membership = user_of(self.request).active_membership
        centres = list(Centre.objects.order_by("name"))
        default = (
            membership.centre.code
            if membership and membership.centre_id and membership.centre
            else None
        )
        if default is None:
            default = DEFAULT_CENTRE
        return CandidateQueryForm(
            data,
            centres=centres,
            industries=list(IndustryRisk.objects.all()),
            initial={"centre": default},
        )

    def rank(self, form):
        """The ranking for a submitted query form; None (with errors on the form) if bad."""
        if not form.is_valid():
            return None, None
        data = form.cleaned_data
        try:
            request = risk.build_request(
                centre=data["centre"],
                industries=data["industries"],
                period=data["period"],
                limit=data["limit"],
                today=timezone.localdate(),
            )
        except ValidationError as error:
            form.add_service_errors(error)
            return None, None
        return request, risk.rank(request, user=self.request.user)

    def get(self, request, *args, **kwargs):
        submitted = "centre" in request.GET
        form = self.query_form(request.GET if submitted else None)
        ranking, candidates = self.rank(form) if submitted else (None, None)
        plan_form = None
        if candidates:
            plan_form = PlanForm(
                operations=plannable_operations(request.user),
                workplace_ids=[c.workplace.pk for c in candidates],
                initial={"planned_date": ranking.start if ranking else None},
            )
        status = 400 if submitted and form.errors else 200
        return self.render_page(form, ranking, candidates, plan_form, status=status)

    def post(self, request, *args, **kwargs):
        form = self.query_form(request.POST)
        ranking, candidates = self.rank(form)
        if candidates is None:
            return self.render_page(form, None, None, None, status=400)
        plan_form = PlanForm(
            request.POST,
            operations=plannable_operations(request.user),
            workplace_ids=[c.workplace.pk for c in candidates],
        )
        if not plan_form.is_valid():
            return self.render_page(form, ranking, candidates, plan_form, status=400)
        # The basis each pick was shown with must be the one the ranking gives it now: a
        # ranked workplace is never recorded as drawn at random, or the other way round.
        ranked = {c.workplace.pk: c.basis for c in candidates}
        picks = []
        for workplace_id in plan_form.cleaned_data["picks"]:
            basis = request.POST.get(f"basis-{workplace_id}", "")
            if basis not in dict(RANKING_BASES) or basis != ranked[workplace_id]:
                plan_form.add_error(
                    "picks", _("The ranking has changed since you read it. Check and pick again.")
                )
                return self.render_page(form, ranking, candidates, plan_form, status=400)
            picks.append((workplace_id, basis))
        operation = plan_form.cleaned_data["operation"]
        try:
            planned = selection.plan_from_ranking(
                operation=operation,
                picks=picks,
                planned_date=plan_form.cleaned_data["planned_date"],
                actor=request.user,
            )
        except ValidationError as error:
            plan_form.add_service_errors(error)
            return self.render_page(form, ranking, candidates, plan_form, status=400)
        messages.success(
            request,
            _("Planned in %(operation)s: %(references)s.")
            % {
                "operation": operation.title,
                "references": ", ".join(i.reference for i in planned),
            },
        )
        return redirect(reverse("inspections:operation_board") + f"#operation-{operation.pk}")

    def render_page(self, form, ranking, candidates, plan_form, status=200):
        picked = set()
        if plan_form is not None and plan_form.is_bound:
            picked = {str(v) for v in plan_form.data.getlist("picks")}
        context = self.get_context_data(
            form=form,
            ranking=ranking,
            candidates=candidates,
            plan_form=plan_form,
            picked=picked,
            may_plan=self.request.user.has_perm("inspections.add_inspection"),
            may_maintain=policies.maintains_risk_assessment(self.request.user),
            max_score=sum(risk.CAPS.values()),
        )
        return self.render_to_response(context, status=status)


# --- the joint risk assessment -------------------------------------------------------------


class IndustryRiskView(CapabilityRequiredMixin, View):
    """The risk table: everyone with the capability reads it; network coordinators change
    it (a row at a time, with its version) and add rows."""

    template_name = "inspections/risk/industries.html"
    required_capability = "inspections.view_industryrisk"

    def get(self, request, pk=None):
        return self.render_page(request)

    def render_page(self, request, status=200, bound=None):
        rows = list(IndustryRisk.objects.select_related("updated_by"))
        maintains = policies.maintains_risk_assessment(request.user)
        for row in rows:
            row.form = (  # type: ignore[attr-defined]  # the row's form, for the template
                bound
                if bound is not None and bound.row is not None and bound.row.pk == row.pk
                else IndustryRiskForm(row=row)
                if maintains
                else None
            )
        add_form = None
        if maintains:
            add_form = bound if bound is not None and bound.row is None else IndustryRiskForm()
        context = {"rows": rows, "maintains": maintains, "add_form": add_form}
        return render(request, self.template_name, context, status=status)

    def post(self, request, pk=None):
        if not policies.maintains_risk_assessment(request.user):
            raise PermissionDenied
        row = get_object_or_404(IndustryRisk, pk=pk) if pk is not None else None
        form = IndustryRiskForm(request.POST, row=row)
        if not form.is_valid():
            return self.render_page(request, 400, form)
        try:
            saved = selection.save_industry_risk(
                row,
                changes=form.changes(),
                version=form.cleaned_data["version"],
                actor=request.user,
            )
        except StaleVersion:
            messages.error(request, STALE)
            return self.render_page(request, 409)
        except ValidationError as error:
            form.add_service_errors(error)
            return self.render_page(request, 400, form)
        messages.success(request, _("%(name)s is saved.") % {"name": saved.name})
        return redirect(reverse("inspections:industry_risk") + f"#industry-{saved.key}")
