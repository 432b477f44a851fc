"""The joint-control pages in the browser: the HTML twin of inspections/api/views.py, with the
same rules.

Every inspection is fetched through `Inspection.objects.visible_to(user)`, so one outside the
person's scope answers 404 on every page and every POST: an unannounced control never leaks,
not even through the calendar. A missing capability answers 403, and so does a rule of the
service (`PermissionDenied`); a service `ValidationError` re-renders the page with the errors
next to the fields (400); success redirects with a message. The services do the work.
"""

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, TemplateView, View

from cases.employers.filters import EmployerFilterSet
from cases.employers.models import Employer
from cases.employers.services import register_employer
from cases.tips import services as tip_services
from cases.tips.models import Tip
from cases.tips.policies import is_tip_coordinator
from inspections import policies
from inspections.choices import (
    AssignmentStatus,
    InspectionStatus,
    OperationStatus,
    SelectionBasis,
)
from inspections.filters import FollowUpFilterSet, InspectionFilterSet, OperationFilterSet
from inspections.forms import (
    AssignForm,
    CalendarForm,
    DecisionForm,
    DecisionStatusForm,
    FindingForm,
    FollowUpForm,
    InspectionPlanForm,
    NotReportingForm,
    OperationForm,
    PerformForm,
    PersonCountFormSet,
    ReasonForm,
    RespondForm,
    dress_filter_form,
    next_decision_states,
)
from inspections.models import (
    AgencyAssignment,
    ControlOperation,
    Decision,
    Finding,
    FollowUp,
    Inspection,
    InspectionEmployer,
)
from inspections.services import (
    attachments,
    decisions,
    export,
    follow_ups,
    lifecycle,
    operations,
    planning,
    results,
)
from inspections.services.operations import OPERATION_STATES
from inspections.tables import FollowUpTable, InspectionTable, OperationTable
from network.exceptions import StaleVersion
from network.exports import csv_response
from network.forms import AttachmentForm
from network.http import user_of
from network.mixins import (
    AttachmentDownloadMixin,
    AttachmentUploadMixin,
    CapabilityRequiredMixin,
    ObjectActionMixin,
    ScopedQuerysetMixin,
)
from network.models import Agency
from network.policies import decide, scope
from network.querysets import ScopedQuerySet
from network.reference import municipalities
from network.tables import TableListView

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

BEFORE_VISIT = {InspectionStatus.PLANNED, InspectionStatus.STAFFED}
DRAFT_SAVED = "inspections_draft_saved"


def _agency_id(user) -> int | None:
    return ScopedQuerySet.agency_id_of(user)


def _filtered_inspections(request) -> InspectionFilterSet:
    """The person's visible inspections through the same FilterSet as the API list."""
    filterset = InspectionFilterSet(
        request.GET, queryset=Inspection.objects.visible_to(request.user), request=request
    )
    dress_filter_form(filterset.form, user=request.user)
    return filterset


def _with_my_assignment(inspections, user):
    """Attach `mine`: the person's agency's assignment (a list of at most one), in one query
    for the whole page."""
    return inspections.select_related("workplace__county").prefetch_related(
        Prefetch(
            "assignments",
            # None matches no row (Django reads `= None` as IS NULL).
            queryset=AgencyAssignment.objects.filter(agency_id=_agency_id(user)),  # type: ignore[misc]
            to_attr="mine",
        )
    )


# --- list and calendar --------------------------------------------------------------------


class InspectionListView(TableListView):
    """Visible inspections, newest planned date first (or by a sortable column), 50 a page
    with a keyset cursor (`?before=<date>_<id>`: constant cost on any page, unlike an
    OFFSET)."""

    template_name = "inspections/inspection_list.html"
    required_capability = "inspections.work_on_inspections"
    context_object_name = "inspections"
    table_class = InspectionTable
    default_order = ("-planned_date", "-id")

    def get_filterset(self):
        return _filtered_inspections(self.request)

    def page_rows(self, rows):
        return _with_my_assignment(rows, self.request.user)


def _monday(week: str) -> datetime.date:
    """The Monday of an ISO week "YYYY-Www"; this week's when empty or impossible."""
    if week:
        year, number = week.split("-W")
        try:
            return datetime.date.fromisocalendar(int(year), int(number), 1)
        except ValueError:
            pass
    today = timezone.localdate()
    return today - datetime.timedelta(days=today.weekday())


def _iso_week(day: datetime.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


class InspectionCalendarView(CapabilityRequiredMixin, TemplateView):
    """One ISO week of visible inspections, Monday to Sunday. Same scope as the list: an
    agency that is not assigned never sees another agency's plan here either."""

    template_name = "inspections/inspection_calendar.html"
    required_capability = "inspections.work_on_inspections"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        data = self.request.GET.copy()
        data.setdefault("week", _iso_week(timezone.localdate()))
        form = CalendarForm(data)
        valid = form.is_valid()
        monday = _monday(form.cleaned_data.get("week", "") if valid else "")
        sunday = monday + datetime.timedelta(days=6)
        centre = form.cleaned_data.get("centre") if valid else None
        filterset = InspectionFilterSet(
            {"planned_from": monday, "planned_to": sunday, "centre": centre.code if centre else ""},
            queryset=Inspection.objects.visible_to(self.request.user),
            request=self.request,
        )
        inspections = filterset.qs if filterset.is_valid() else Inspection.objects.none()
        inspections = _with_my_assignment(inspections, self.request.user)
        by_day: dict[datetime.date, list[Inspection]] = {
            monday + datetime.timedelta(days=n): [] for n in range(7)
        }
        for inspection in inspections.order_by("planned_date", "id"):
            by_day[inspection.planned_date].append(inspection)
        context.update(
            form=form,
            days=list(by_day.items()),
            monday=monday,
            sunday=sunday,
            week=_iso_week(monday),
            previous_week=_iso_week(monday - datetime.timedelta(days=7)),
            next_week=_iso_week(monday + datetime.timedelta(days=7)),
            this_week=_iso_week(timezone.localdate()),
            today=timezone.localdate(),
        )
        return context


# --- planning -----------------------------------------------------------------------------


# A tip's kind of business -> the SNI code a planner would most often choose for it (the
# planner checks it; "other" and farming are left for them to fill in).
TIP_INDUSTRY_SNI = {
    "construction": "41.200",
    "restaurant": "56.100",
    "cleaning": "81.210",
    "transport": "49.410",
    "beauty": "96.022",
    "car_care": "45.200",
    "care": "88.102",
}


def _municipality_code(name: str, county_code: str = "") -> str:
    """The code of the municipality a sender named in words ("Malmö" -> "1280"), in the
    county when one is known; "" when the name is not one of SCB's."""
    wanted = name.strip().casefold().removesuffix(" kommun")
    for code, municipality in municipalities().items():
        if municipality.casefold() == wanted and code.startswith(county_code):
            return code
    return ""


class InspectionCreateView(CapabilityRequiredMixin, FormView):
    """The planning form; `?tip=<id>` plans the control for a tip proposed for one in one step:
    the form comes filled in from the tip, and saving links the tip to the new control."""

    template_name = "inspections/inspection_form.html"
    required_capability = "inspections.add_inspection"
    form_class = InspectionPlanForm

    def source_tip(self):
        """The tip planned from, if any: one the person may see (404) and triage, proposed for
        a control and not planned yet (403)."""
        if not hasattr(self, "_tip"):
            value = self.request.POST.get("tip") or self.request.GET.get("tip") or ""
            self._tip = None
            if value:
                tip = get_object_or_404(
                    Tip.objects.visible_to(self.request.user).select_related("county", "employer"),
                    pk=value if value.isdigit() else 0,
                )
                if not is_tip_coordinator(self.request.user) or not (
                    tip_services.may_plan_inspection(tip)
                ):
                    raise PermissionDenied(_("A control is planned only from a proposed tip."))
                self._tip = tip
        return self._tip

    def get_initial(self):
        initial = super().get_initial()
        tip = self.source_tip()
        if tip is None:
            return initial
        county = tip.county.code if tip.county else ""
        municipality = _municipality_code(tip.municipality, county)
        employer = tip.employer or (
            Employer.objects.filter(orgnr=tip.orgnr).first() if tip.orgnr else None
        )
        initial.update(
            name=(employer.name if employer else tip.employer_name) or tip.address,
            address=tip.address,
            city=tip.municipality,
            county=county or municipality[:2],
            municipality=municipality,
            sni=TIP_INDUSTRY_SNI.get(tip.industry, ""),
        )
        if employer is not None:
            initial["employer_1"] = f"{employer.name} ({employer.orgnr})"
        elif tip.orgnr:
            initial.update(new_orgnr=tip.orgnr, new_name=tip.employer_name)
        return initial

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "tip": self.source_tip()}

    def form_valid(self, form):
        data = form.cleaned_data
        tip = self.source_tip()
        try:
            # A new employer and the inspection that meets it are stored together or not at all;
            # so is the link to the tip it was planned from.
            with transaction.atomic():
                employers = list(data["employers"])
                new = form.new_employer()
                if new is not None:
                    if not Employer.objects.filter(orgnr=new["orgnr"]).exists():
                        register_employer(
                            orgnr=new["orgnr"],
                            name=new["name"],
                            sni_codes=new["sni_codes"],
                            actor=user_of(self.request),
                        )
                    employers.append({"orgnr": new["orgnr"], "role": new["role"]})
                inspection = planning.plan_inspection(
                    workplace=form.workplace(),
                    planned_date=data["planned_date"],
                    employers=employers,
                    operation=data["operation"],
                    unannounced=data["unannounced"],
                    selection_basis=SelectionBasis.TIP if tip is not None else "",
                    actor=user_of(self.request),
                )
                if tip is not None:
                    tip_services.link_planned_inspection(
                        tip, inspection=inspection, actor=user_of(self.request)
                    )
        except ValidationError as error:
            form.add_service_errors(error)
            return self.form_invalid(form)
        if tip is not None:
            message = _(
                "Inspection %(reference)s is planned from tip %(tip)s. Assign the agencies that"
                " take part."
            ) % {"reference": inspection.reference, "tip": tip.code}
        else:
            message = _(
                "Inspection %(reference)s is planned. Assign the agencies that take part."
            ) % {"reference": inspection.reference}
        messages.success(self.request, message)
        return redirect("inspections:inspection_detail", pk=inspection.pk)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


EMPLOYER_SEARCH_LIMIT = 10


class EmployerSearchView(CapabilityRequiredMixin, View):
    """Employers by name or organisation number, as JSON for the planning form's
    search-as-you-type (static/js/planning.js). Employers are registry data that every member
    may read (cases/models.py), so the scope is the capability; the answer is small (ten
    names) and carries nothing an employer profile does not."""

    required_capability = "cases.work_on_employers"

    def get(self, request):
        text = " ".join(request.GET.get("q", "").split())[:100]
        results = []
        if len(text) >= 2:
            employers = EmployerFilterSet({"q": text}, queryset=Employer.objects.all()).qs
            results = [
                {
                    "orgnr": employer.orgnr,
                    "formatted_orgnr": employer.formatted_orgnr,
                    "name": employer.name,
                    "city": employer.city,
                    "label": f"{employer.name} ({employer.formatted_orgnr})",
                }
                for employer in employers.order_by("name", "orgnr")[:EMPLOYER_SEARCH_LIMIT]
            ]
        return JsonResponse({"results": results})


# --- one inspection -----------------------------------------------------------------------


class InspectionScopedMixin(ScopedQuerysetMixin):
    scoped_model = Inspection
    required_capability = "inspections.work_on_inspections"
    select_related = ("workplace__county", "coordinating_agency", "operation")
    context_object_name: str | None = "inspection"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .prefetch_related(
                Prefetch(
                    "inspectionemployer_set",
                    queryset=InspectionEmployer.objects.select_related("employer"),
                ),
                Prefetch(
                    "assignments",
                    queryset=AgencyAssignment.objects.select_related("agency").prefetch_related(
                        "staff"
                    ),
                ),
            )
        )

    def findings(self, inspection, **filters):
        """Findings of the inspection the person may see, each with its visible decisions."""
        user = self.request.user
        return (
            Finding.objects.visible_to(user)
            .filter(inspection=inspection, **filters)
            .select_related("agency")
            .prefetch_related(Prefetch("decisions", queryset=Decision.objects.visible_to(user)))
        )


class InspectionDetailView(InspectionScopedMixin, DetailView):
    """One inspection: the workplace, who takes part, what was found and decided. Reading
    other agencies' findings is recorded (duty to share for joint controls)."""

    template_name = "inspections/inspection_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        inspection, user = self.object, user_of(self.request)
        # What the page offers is the policy's answer (inspections/policies.py).
        coordinator = bool(decide(user, "change", inspection))
        mine = policies.assignment_of(user, inspection)
        accepted = mine is not None and mine.status == AssignmentStatus.ACCEPTED
        before_visit = inspection.status in BEFORE_VISIT
        record_visit = before_visit and bool(decide(user, "perform", inspection))
        findings = list(self.findings(inspection))
        results.record_findings_read(findings, actor=user)
        self.offer_decision_status(findings, kwargs.get("decision_status_forms") or {})
        person_counts = list(
            inspection.person_counts.select_related("agency").order_by(
                "agency__code", "right_to_work", "nationality"
            )
        )
        awaited = (
            list(results.awaited_results(inspection).select_related("agency"))
            if inspection.status == InspectionStatus.PERFORMED
            else []
        )
        context.update(
            coordinator=coordinator,
            mine=mine,
            findings=findings,
            person_counts=person_counts,
            persons_by_agency=_persons_by_agency(person_counts),
            awaited=awaited,
            # Before the visit, the results page is where an agency on site records it.
            visit_from_results=record_visit and accepted,
            follow_ups=FollowUp.objects.visible_to(user)
            .filter(inspection=inspection)
            .select_related("agency", "assignee"),
            results_open=inspection.status in results.RESULT_STATES and (accepted or coordinator),
            can_submit=accepted
            and inspection.status == InspectionStatus.PERFORMED
            and mine is not None
            and mine.results_submitted_at is None
            and user.has_perm("inspections.add_finding"),
            can_close=coordinator and inspection.status == InspectionStatus.DOCUMENTED,
            can_cancel=coordinator and before_visit,
        )
        context.setdefault(
            "respond_form",
            RespondForm()
            if before_visit
            and mine is not None
            and mine.status == AssignmentStatus.PENDING
            and user.has_perm("inspections.respond_to_assignments")
            else None,
        )
        context.setdefault(
            "assign_form",
            AssignForm(inspection=inspection)
            if coordinator and before_visit and user.has_perm("inspections.add_agencyassignment")
            else None,
        )
        context.setdefault(
            "perform_form",
            PerformForm(planned_date=inspection.planned_date) if record_visit else None,
        )
        context.setdefault(
            "not_reporting_form",
            NotReportingForm(agencies=[a.agency for a in awaited])
            if coordinator and awaited
            else None,
        )
        context.setdefault(
            "not_performed_form",
            ReasonForm(auto_id="id_not_performed_%s") if record_visit else None,
        )
        context.setdefault(
            "cancel_form", ReasonForm(auto_id="id_cancel_%s") if context["can_cancel"] else None
        )
        context["attachments"] = inspection.attachments.select_related("agency", "uploaded_by")
        context.setdefault(
            "attachment_form",
            AttachmentForm() if coordinator or accepted else None,
        )
        return context

    def offer_decision_status(self, findings, bound: dict) -> None:
        """Give each decision the person may move (the policy's `change` scope: staff of the
        deciding agency) its status form, unless it is at the end of its way."""
        user = self.request.user
        if not user.has_perm("inspections.edit_decisions"):
            return
        decisions = [d for finding in findings for d in finding.decisions.all()]
        if not decisions:
            return
        changeable = set(
            scope(user, Decision, "change")
            .filter(pk__in=[d.pk for d in decisions])
            .values_list("pk", flat=True)
        )
        for decision in decisions:
            if decision.pk in changeable and next_decision_states(decision):
                decision.status_form = bound.get(decision.pk) or DecisionStatusForm(
                    decision=decision
                )


def _persons_by_agency(person_counts) -> list[dict]:
    """Each agency's counts with its own total (rows already ordered by agency)."""
    agencies: dict[int, dict] = {}
    for row in person_counts:
        entry = agencies.setdefault(row.agency_id, {"agency": row.agency, "rows": [], "total": 0})
        entry["rows"].append(row)
        entry["total"] += row.count
    return list(agencies.values())


class InspectionActionView(ObjectActionMixin, InspectionDetailView):
    """Base of the POST endpoints on one inspection (network.mixins.ObjectActionMixin)."""

    redirect_url_name = "inspections:inspection_detail"


class RespondView(InspectionActionView):
    action_capability = "inspections.respond_to_assignments"

    def act(self, request, inspection):
        assignment = policies.assignment_of(request.user, inspection)
        if assignment is None:
            raise PermissionDenied
        form = RespondForm(request.POST)
        if not form.is_valid():
            return self.rerender(400, respond_form=form)
        accept = form.cleaned_data["answer"] == "accept"
        try:
            planning.respond_to_assignment(
                assignment, accept=accept, reason=form.cleaned_data["reason"], actor=request.user
            )
        except ValidationError as error:
            form.add_service_errors(error)
            return self.rerender(400, respond_form=form)
        if accept:
            return self.done(_("Your agency takes part in %(reference)s.") % self._ref())
        # Declining ends the agency's access: the inspection is out of its scope now.
        messages.success(
            request,
            _("Your agency declined %(reference)s. It is no longer shown to your agency.")
            % self._ref(),
        )
        return redirect("inspections:inspection_list")

    def _ref(self):
        return {"reference": self.object.reference}


class AssignView(InspectionActionView):
    action_capability = "inspections.add_agencyassignment"

    def act(self, request, inspection):
        form = AssignForm(request.POST, inspection=inspection)
        return self.run(
            form,
            "assign_form",
            planning.assign_agency,
            _("The agency is asked to take part. Its staff are told by e-mail."),
            "#assignments",
        )


class PerformView(InspectionActionView):
    action_capability = "inspections.perform_inspections"

    def act(self, request, inspection):
        if not decide(request.user, "perform", inspection):
            raise PermissionDenied
        return self.run(
            PerformForm(request.POST, planned_date=inspection.planned_date),
            "perform_form",
            lifecycle.perform_inspection,
            _("The inspection is recorded as performed. Record your results."),
        )


class NotReportingView(InspectionActionView):
    """The coordinator stops waiting for an accepted agency's results."""

    action_capability = "inspections.coordinate_inspection"

    def act(self, request, inspection):
        awaited = results.awaited_results(inspection).select_related("agency")
        form = NotReportingForm(request.POST, agencies=[a.agency for a in awaited])
        return self.run(
            form,
            "not_reporting_form",
            results.mark_not_reporting,
            lambda valid: (
                _("%(agency)s is marked as not reporting.")
                % {"agency": valid.cleaned_data["agency"].name}
            ),
            "#results",
        )


class NotPerformedView(InspectionActionView):
    action_capability = "inspections.perform_inspections"

    def act(self, request, inspection):
        return self.run(
            ReasonForm(request.POST, auto_id="id_not_performed_%s"),
            "not_performed_form",
            lifecycle.mark_not_performed,
            _("The inspection is recorded as not performed."),
        )


class CancelView(InspectionScopedMixin, DetailView):
    """Cancelling an inspection, on a page of its own (as for an operation): what is
    cancelled, a reason, one button. The detail page only links here, so a slip there cannot
    cancel anything. Outside the person's scope 404; without the coordinator's capability,
    or once the visit is past, 403."""

    template_name = "inspections/inspection_cancel.html"

    def get_object(self, queryset=None):
        inspection = super().get_object(queryset)
        if not self.request.user.has_perm("inspections.coordinate_inspection") or not decide(
            self.request.user, "change", inspection
        ):
            raise PermissionDenied
        if inspection.status not in BEFORE_VISIT:
            raise PermissionDenied(_("Only an inspection not yet visited can be cancelled."))
        return inspection

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", ReasonForm(auto_id="id_cancel_%s"))
        return context

    def post(self, request, *args, **kwargs):
        self.object = inspection = self.get_object()
        form = ReasonForm(request.POST, auto_id="id_cancel_%s")
        if form.is_valid():
            try:
                lifecycle.cancel_inspection(
                    inspection, reason=form.cleaned_data["reason"], actor=request.user
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(
                    request,
                    _("Inspection %(reference)s is cancelled.")
                    % {"reference": inspection.reference},
                )
                return redirect("inspections:inspection_detail", pk=inspection.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class DecisionStatusView(InspectionActionView):
    """A decision's status from the inspection page, through the same service as the API:
    staff of the deciding agency (403 for another agency that sees it, 404 outside scope),
    an allowed next status, a reason; the row is locked and the change audited."""

    action_capability = "inspections.edit_decisions"

    def act(self, request, inspection):
        decision = get_object_or_404(
            Decision.objects.visible_to(request.user).filter(finding__inspection=inspection),
            pk=self.kwargs["decision_id"],
        )
        if not decide(request.user, "change", decision):
            raise PermissionDenied
        form = DecisionStatusForm(request.POST, decision=decision)
        bound = {"decision_status_forms": {decision.pk: form}}
        if not form.is_valid():
            return self.rerender(400, **bound)
        try:
            changed = decisions.change_decision_status(
                decision,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
                actor=request.user,
            )
        except StaleVersion:
            messages.error(
                request, _("Someone else has changed this in the meantime. Reload and try again.")
            )
            return redirect(
                reverse(self.redirect_url_name, args=[inspection.pk]) + f"#decision-{decision.pk}"
            )
        except ValidationError as error:
            form.add_service_errors(error)
            return self.rerender(400, **bound)
        return self.done(
            _("The decision is now “%(status)s”.") % {"status": changed.get_status_display()},
            f"#decision-{decision.pk}",
        )


class CloseView(InspectionActionView):
    action_capability = "inspections.coordinate_inspection"

    def act(self, request, inspection):
        try:
            lifecycle.close_inspection(inspection, actor=request.user)
        except ValidationError as error:
            return self.rerender(400, action_errors=error.messages)
        return self.done(_("The inspection is closed."))


class AttachmentUploadView(AttachmentUploadMixin, InspectionActionView):
    """A file from the control (coordinator or an agency taking part)."""

    add_attachment = staticmethod(attachments.add_attachment)


class AttachmentDownloadView(AttachmentDownloadMixin, InspectionScopedMixin, View):
    """A file of a visible inspection, served only after the download is audited."""

    record_download = staticmethod(attachments.record_attachment_download)


class InspectionExportView(CapabilityRequiredMixin, View):
    """The list's inspections (same filters, same scope) as CSV; audited."""

    required_capability = "inspections.work_on_inspections"

    def get(self, request):
        inspections = _filtered_inspections(request).qs
        body = export.export_inspections_csv(
            inspections, actor=request.user, filters=dict(request.GET.items())
        )
        return csv_response(body, "akrim-kontroller.csv")


class SubmitResultsView(InspectionActionView):
    action_capability = "inspections.add_finding"

    def act(self, request, inspection):
        try:
            results.submit_results(inspection, actor=request.user)
        except ValidationError as error:
            return self.rerender(400, action_errors=error.messages)
        return self.done(_("Your agency's results are submitted."))


# --- the results page ---------------------------------------------------------------------


class InspectionResultsView(InspectionScopedMixin, DetailView):
    """The fast form a caseworker fills in on site, on a phone: findings, decisions, persons
    checked and follow-ups of the person's own agency, one column, plain POST forms.

    Open to the agencies taking part and to the coordinator (who may add follow-ups); what
    each may record is still the services' decision."""

    template_name = "inspections/inspection_results.html"

    def get_object(self, queryset=None):
        inspection = super().get_object(queryset)
        self.mine = policies.assignment_of(self.request.user, inspection)
        if self.mine is not None and self.mine.status != AssignmentStatus.ACCEPTED:
            self.mine = None
        if self.mine is None and not decide(self.request.user, "change", inspection):
            raise PermissionDenied
        return inspection

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        # Which form (if any) the server just stored: results-draft.js drops its draft.
        saved = request.session.pop(DRAFT_SAVED, "")
        prefix = f"{self.object.pk}:"
        self.saved_form = saved.removeprefix(prefix) if saved.startswith(prefix) else ""
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        inspection, user = self.object, user_of(self.request)
        agency = user.agency
        recording = self.mine is not None and inspection.status in results.RESULT_STATES
        own_findings = self.findings(inspection, agency=agency)
        counts = inspection.person_counts.filter(agency=agency).order_by(
            "right_to_work", "nationality"
        )
        before_visit = inspection.status in BEFORE_VISIT
        records_visit = (
            self.mine is not None and before_visit and decide(user, "perform", inspection)
        )
        context.setdefault(
            "visit_form",
            PerformForm(planned_date=inspection.planned_date, auto_id="id_visit_%s")
            if records_visit
            else None,
        )
        context.update(
            mine=self.mine,
            recording=recording,
            waiting_for_visit=self.mine is not None and before_visit and not records_visit,
            my_total=sum(row.count for row in counts),
            can_submit=self.mine is not None
            and inspection.status == InspectionStatus.PERFORMED
            and self.mine.results_submitted_at is None
            and user.has_perm("inspections.add_finding"),
            own_findings=own_findings,
            follow_ups=FollowUp.objects.visible_to(user)
            .filter(inspection=inspection)
            .select_related("agency"),
            saved_form=getattr(self, "saved_form", ""),
        )
        may = user.has_perm
        context.setdefault(
            "finding_form",
            FindingForm(
                agency_code=agency.code if agency else "", employers=inspection.employers.all()
            )
            if recording and may("inspections.add_finding")
            else None,
        )
        context.setdefault(
            "decision_form",
            DecisionForm(findings=own_findings)
            if self.mine is not None and may("inspections.add_decision")
            else None,
        )
        context.setdefault(
            "persons_formset",
            PersonCountFormSet(
                prefix="counts",
                initial=list(counts.values("right_to_work", "nationality", "count")),
            )
            if recording and may("inspections.add_personcount")
            else None,
        )
        context.setdefault(
            "follow_up_form", FollowUpForm() if may("inspections.add_followup") else None
        )
        return context


class ResultsActionView(ObjectActionMixin, InspectionResultsView):
    """Base of the POSTs of the results page. On success the page is told which form the
    server saved, so results-draft.js drops that form's draft."""

    redirect_url_name = "inspections:inspection_results"
    form_name = ""

    def done(self, message: "StrOrPromise", anchor: str = "") -> HttpResponse:
        self.request.session[DRAFT_SAVED] = f"{self.object.pk}:{self.form_name}"
        return super().done(message, anchor or f"#{self.form_name}")


class ResultsVisitView(ResultsActionView):
    """An agency on site records the visit from the results page, and goes on recording."""

    action_capability = "inspections.perform_inspections"
    form_name = "visit"

    def act(self, request, inspection):
        if not decide(request.user, "perform", inspection):
            raise PermissionDenied
        form = PerformForm(
            request.POST, planned_date=inspection.planned_date, auto_id="id_visit_%s"
        )
        return self.run(
            form,
            "visit_form",
            lifecycle.perform_inspection,
            _("The visit is recorded. Now record your agency's results."),
            "#finding",
        )


class ResultsSubmitView(ResultsActionView):
    """Submit the agency's results from the results page (the same service as the detail
    page's button)."""

    action_capability = "inspections.add_finding"
    form_name = "submit"

    def act(self, request, inspection):
        try:
            results.submit_results(inspection, actor=request.user)
        except ValidationError as error:
            return self.rerender(400, action_errors=error.messages)
        messages.success(request, _("Your agency's results are submitted."))
        return redirect("inspections:inspection_detail", pk=inspection.pk)


class RecordFindingView(ResultsActionView):
    action_capability = "inspections.add_finding"
    form_name = "finding"

    def act(self, request, inspection):
        form = FindingForm(
            request.POST, agency_code=request.user.agency.code, employers=inspection.employers.all()
        )
        if not form.is_valid():
            return self.rerender(400, finding_form=form)
        try:
            results.record_finding(inspection, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
            return self.rerender(400, finding_form=form)
        return self.done(_("The finding is recorded."))


class RecordDecisionView(ResultsActionView):
    action_capability = "inspections.add_decision"
    form_name = "decision"

    def act(self, request, inspection):
        findings = self.findings(inspection, agency=request.user.agency)
        form = DecisionForm(request.POST, findings=findings)
        if not form.is_valid():
            return self.rerender(400, decision_form=form)
        data = dict(form.cleaned_data)
        try:
            decisions.record_decision(data.pop("finding"), actor=request.user, **data)
        except ValidationError as error:
            form.add_service_errors(error)
            return self.rerender(400, decision_form=form)
        return self.done(_("The decision is recorded."))


class RecordPersonsView(ResultsActionView):
    action_capability = "inspections.add_personcount"
    form_name = "persons"

    def act(self, request, inspection):
        formset = PersonCountFormSet(request.POST, prefix="counts")
        if not formset.is_valid():
            return self.rerender(400, persons_formset=formset)
        rows = formset.rows()
        try:
            total = results.record_person_counts(
                inspection, counts=[row for _index, row in rows], actor=request.user
            )
        except ValidationError as error:
            formset.add_service_errors(error, [index for index, _row in rows])
            return self.rerender(400, persons_formset=formset)
        message = _("Persons checked by your agency are saved: %(total)s in all.") % {
            "total": total
        }
        visit_total = Inspection.objects.values_list("persons_checked", flat=True).get(
            pk=inspection.pk
        )
        if visit_total is not None and total > visit_total:
            message += " " + _(
                "That is more than the %(visit)s persons recorded at the visit: check the numbers."
            ) % {"visit": visit_total}
        return self.done(message)


class AddFollowUpView(ResultsActionView):
    action_capability = "inspections.add_followup"
    form_name = "follow-up"

    def act(self, request, inspection):
        form = FollowUpForm(request.POST)
        if not form.is_valid():
            return self.rerender(400, follow_up_form=form)
        try:
            follow_ups.add_follow_up(inspection, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
            return self.rerender(400, follow_up_form=form)
        return self.done(_("The follow-up is added."))


# --- operations ---------------------------------------------------------------------------


class OperationBoardView(TableListView):
    """Visible control operations as cards, newest period first (or by a sortable column), in
    keyset pages; each card counts the operation's inspections by status and its assignments
    by agency and answer, counting only the inspections the person may see."""

    template_name = "inspections/operation_board.html"
    required_capability = "inspections.work_on_control_operations"
    context_object_name = "operations"
    table_class = OperationTable
    filterset_class = OperationFilterSet
    default_order = ("-period_start", "-id")
    page_size = 25

    def get_queryset(self):
        return ControlOperation.objects.visible_to(user_of(self.request)).select_related(
            "coordinating_agency", "centre"
        )

    def get_filterset(self):
        filterset = super().get_filterset()
        filterset.form.auto_id = "id_filter_%s"  # apart from the planning form's fields
        return filterset

    def decorate(self, rows):
        """The page's counts and answers in two queries, whatever the number of cards."""
        user = user_of(self.request)
        visible = Inspection.objects.visible_to(user).filter(
            operation_id__in=[operation.pk for operation in rows]
        )
        counts: dict[tuple[int, str], int] = {}
        if rows:
            for row in visible.values("operation_id", "status").annotate(n=Count("pk")).order_by():
                counts[row["operation_id"], row["status"]] = row["n"]
        answers = (
            AgencyAssignment.objects.filter(inspection__in=visible.values("pk"))
            .values("inspection__operation_id", agency_name=Agency.name_in_sql("agency__"))
            .annotate(
                pending=Count("pk", filter=Q(status=AssignmentStatus.PENDING)),
                accepted=Count("pk", filter=Q(status=AssignmentStatus.ACCEPTED)),
                declined=Count("pk", filter=Q(status=AssignmentStatus.DECLINED)),
            )
            .order_by("inspection__operation_id", "agency_name")
        )
        by_operation: dict[int, list[Mapping[str, Any]]] = {}
        for answer in answers if rows else ():
            by_operation.setdefault(answer["inspection__operation_id"], []).append(answer)
        may_move = user.has_perm("inspections.edit_control_operations")
        for operation in rows:
            operation.status_counts = []
            for status, label in InspectionStatus.choices:
                n = counts.get((operation.pk, status), 0)
                setattr(operation, f"n_{status}", n)
                operation.status_counts.append((status, label, n))
            operation.n_total = sum(n for _status, _label, n in operation.status_counts)
            operation.agency_answers = by_operation.get(operation.pk, [])
            moves = (
                OPERATION_STATES.next_states(operation.status)
                if may_move and operation.coordinating_agency_id == _agency_id(user)
                else set()
            )
            # Cancelling is destructive: it has its own confirmation page, not a card button.
            operation.next_states = [
                (state, OperationStatus(state).label)
                for state in sorted(moves)
                if state != OperationStatus.CANCELLED
            ]
            operation.may_cancel = OperationStatus.CANCELLED in moves
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = user_of(self.request)
        if user.has_perm("inspections.add_controloperation"):
            membership = user.active_membership
            centre = membership.centre if membership else None
            context.setdefault(
                "operation_form",
                OperationForm(initial={"centre": centre.code if centre else None}),
            )
        return context


class OperationStatusView(CapabilityRequiredMixin, View):
    """Move an operation along its states from the board."""

    required_capability = "inspections.edit_control_operations"

    def post(self, request, pk):
        operation = get_object_or_404(ControlOperation.objects.visible_to(request.user), pk=pk)
        try:
            operations.move_operation(
                operation,
                status=request.POST.get("status", ""),
                reason=request.POST.get("reason", "")[:2000],
                actor=request.user,
            )
        except (ValidationError, ValueError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, _("The operation has moved on."))
        return redirect(reverse("inspections:operation_board") + f"#operation-{pk}")


class OperationCancelView(CapabilityRequiredMixin, View):
    """Cancelling an operation, on a page of its own: what is cancelled, a reason, one
    button. The board only links here, so a slip on a card cannot cancel anything."""

    required_capability = "inspections.edit_control_operations"
    template_name = "inspections/operation_cancel.html"

    def get_operation(self, request, pk):
        operation = get_object_or_404(
            ControlOperation.objects.visible_to(request.user).select_related("centre"), pk=pk
        )
        if not decide(request.user, "change", operation):
            raise PermissionDenied
        return operation

    def get(self, request, pk):
        operation = self.get_operation(request, pk)
        form = ReasonForm(auto_id="id_cancel_%s")
        return render(request, self.template_name, {"operation": operation, "form": form})

    def post(self, request, pk):
        operation = self.get_operation(request, pk)
        form = ReasonForm(request.POST, auto_id="id_cancel_%s")
        if form.is_valid():
            try:
                operations.move_operation(
                    operation,
                    status=OperationStatus.CANCELLED,
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(
                    request, _("The operation %(title)s is cancelled.") % {"title": operation.title}
                )
                return redirect(reverse("inspections:operation_board") + f"#operation-{pk}")
        context = {"operation": operation, "form": form}
        return render(request, self.template_name, context, status=400)


class OperationCreateView(OperationBoardView):
    http_method_names = ["post"]
    required_capability = "inspections.add_controloperation"

    def post(self, request):
        form = OperationForm(request.POST)
        if form.is_valid():
            try:
                operation = operations.create_operation(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(
                    request, _("The operation %(title)s is planned.") % {"title": operation.title}
                )
                return redirect("inspections:operation_board")
        return self.render_to_response(self.get_context_data(operation_form=form), status=400)


# --- follow-ups ---------------------------------------------------------------------------

FOLLOW_UP_TABS = (FollowUpFilterSet.OVERDUE, FollowUpFilterSet.MINE)


# Not done yet first (no `done_at`: before any date), then the due date.
_NOT_DONE = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


class FollowUpListView(TableListView):
    """Follow-ups of visible inspections: open ones first, by due date (or by a sortable
    column), in keyset pages; tabs for the overdue ones and for the person's own agency's."""

    template_name = "inspections/followup_list.html"
    required_capability = "inspections.work_on_follow_ups"
    context_object_name = "follow_ups"
    table_class = FollowUpTable
    default_order = ("done_order", "due_date", "id")

    filterset_class = FollowUpFilterSet

    def get_queryset(self):
        follow_ups = FollowUp.objects.visible_to(self.request.user).select_related(
            "inspection__workplace", "agency", "assignee"
        )
        return follow_ups.annotate(done_order=Coalesce("done_at", Value(_NOT_DONE)))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        show = self.request.GET.get("show", "")
        context.update(
            tab=show if show in FOLLOW_UP_TABS else "",
            today=timezone.localdate(),
            my_agency_id=_agency_id(self.request.user),
            may_complete=self.request.user.has_perm("inspections.edit_follow_ups"),
        )
        return context


class FollowUpCompleteView(CapabilityRequiredMixin, View):
    """Mark a follow-up done: visible (404), then the capability and the owning agency's
    rule (403, the latter by the service)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        follow_up = get_object_or_404(FollowUp.objects.visible_to(request.user), pk=pk)
        if not request.user.has_perm("inspections.edit_follow_ups"):
            raise PermissionDenied
        follow_ups.complete_follow_up(follow_up, actor=request.user)
        messages.success(request, _("“%(title)s” is done.") % {"title": follow_up.title})
        show = request.POST.get("show", "")
        url = reverse("inspections:follow_up_list")
        return redirect(f"{url}?show={show}" if show in FOLLOW_UP_TABS else url)
