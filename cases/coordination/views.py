"""The case pages in the browser: the HTML twin of cases/coordination/api.py, with the same rules.

Every case is fetched through `Case.objects.visible_to(user)` (ScopedQuerysetMixin; the
list's first page without filters through the same policy's `newest`), so a case outside
the person's scope answers 404; a missing capability or object rule answers 403. The
services do the work and the checking; these views translate their answers: a ValidationError
becomes field errors (400), StaleVersion a 409 with the current case, success a redirect.
"""

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, View

from cases.coordination import services
from cases.coordination.filters import CaseFilterSet
from cases.coordination.forms import (
    BreakTheGlassForm,
    CaseCreateForm,
    CaseUpdateForm,
    GrantForm,
    NoteForm,
    ReviewForm,
    ShareForm,
)
from cases.coordination.models import (
    AccessReview,
    Case,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
)
from cases.coordination.policies import case_policy
from cases.coordination.querysets import personal_grants_of, shares_of
from cases.coordination.tables import CaseTable, ReviewTable
from cases.employers import services as employer_services
from network.exceptions import StaleVersion
from network.exports import csv_response
from network.forms import AttachmentForm
from network.http import user_of
from network.mixins import (
    AttachmentDownloadMixin,
    AttachmentUploadMixin,
    CapabilityRequiredMixin,
    ObjectActionMixin,
    RecordedReadMixin,
    ScopedQuerysetMixin,
)
from network.models import AuditEvent
from network.policies import decide, require
from network.tables import TableListView


def _filtered_cases(request) -> CaseFilterSet:
    """The person's visible cases through the same FilterSet as the API list."""
    cases = Case.objects.visible_to(request.user).select_related("owner_agency", "employer")
    return CaseFilterSet(request.GET, queryset=cases, request=request)


class CaseListView(TableListView):
    """Visible cases, newest first (or by a sortable column), 50 a page with a keyset cursor
    (`?before=<id>`)."""

    template_name = "cases/case_list.html"
    required_capability = "cases.work_on_cases"
    context_object_name = "cases"
    table_class = CaseTable

    def get_filterset(self):
        return _filtered_cases(self.request)

    def newest(self, count):
        """The first page when no filter is asked: `CasePolicy.newest` (network/tables.py)."""
        cases = case_policy().newest(self.request.user, count)
        return cases.select_related("owner_agency", "employer")


class CaseExportView(CapabilityRequiredMixin, View):
    """The filtered list as CSV: only visible cases, and the export is audited."""

    required_capability = "cases.export_case"

    def get(self, request):
        filterset = _filtered_cases(request)
        if not filterset.is_valid():
            messages.error(request, _("Correct the filters before exporting."))
            return redirect(f"{reverse('cases:case_list')}?{request.GET.urlencode()}")
        filters = {key: value for key, value in request.GET.items() if key != "before"}
        body = services.export_cases_csv(filterset.qs, actor=request.user, filters=filters)
        return csv_response(body, "akrim-arenden.csv")


class CaseCreateView(CapabilityRequiredMixin, FormView):
    template_name = "cases/case_form.html"
    required_capability = "cases.add_case"
    form_class = CaseCreateForm

    def form_valid(self, form):
        data = form.cleaned_data
        user = user_of(self.request)
        try:
            # One transaction: a case that cannot be opened leaves no employer behind.
            with transaction.atomic():
                employer = form.employer
                if data["employer_orgnr"] and employer is None:
                    if not user.has_perm("cases.add_employer"):
                        raise PermissionDenied
                    employer = employer_services.register_employer(
                        orgnr=data["employer_orgnr"], name=data["employer_name"], actor=user
                    )
                case = services.open_case(
                    title=data["title"],
                    summary=data["summary"],
                    employer=employer,
                    sensitivity=data["sensitivity"],
                    actor=user,
                )
        except ValidationError as error:
            form.add_service_errors(error)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(
            self.request, _("Case %(reference)s is open.") % {"reference": case.reference}
        )
        return redirect("cases:case_detail", pk=case.pk)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class CaseScopedMixin(ScopedQuerysetMixin):
    scoped_model = Case
    select_related = ("owner_agency", "employer")
    required_capability = "cases.work_on_cases"


def _history(case: Case) -> list[dict]:
    """The change history, newest first, with the fields each change touched.

    It is read from the audit trail, which records every opening and every update of a case
    with its field-by-field diff in the same transaction (`services.update_case`): one record
    of who changed what, not a second history table beside it (docs/architecture.md)."""
    events = (
        AuditEvent.objects.filter(
            object_type=Case._meta.label_lower,
            object_id=str(case.pk),
            action__in=("case.created", "case.updated"),
        )
        .select_related("actor")
        .order_by("-at", "-pk")
    )
    entries = []
    for event in events:
        names = list(event.changes) if event.action == "case.updated" else []
        entries.append(
            {
                "at": event.at,
                "user": event.actor,
                "created": event.action == "case.created",
                "field_names": names,
                "fields": [_field_label(name) for name in names],
            }
        )
    return entries


def _field_label(name: str) -> str:
    try:
        return str(getattr(Case._meta.get_field(name), "verbose_name", name))
    except FieldDoesNotExist:
        return name


class CaseDetailView(RecordedReadMixin, CaseScopedMixin, DetailView):
    """One case: its facts, timeline, files, history and shares. Every render of the page
    (a GET, a form's 400 or 409) records a read with its basis."""

    template_name = "cases/case_detail.html"
    context_object_name = "case"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case, user = self.object, self.request.user
        editable = bool(decide(user, "change", case))
        shareable = bool(decide(user, "share", case))
        now = timezone.now()
        context.update(
            can_edit=editable,
            can_share=shareable,
            notes=case.notes.select_related("author", "agency"),
            attachments=case.attachments.select_related("uploaded_by"),
            history=_history(case),
            shares=shares_of(case, viewer=user).filter(
                models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
            ),
        )
        context.setdefault("edit_form", CaseUpdateForm(case=case) if editable else None)
        context.setdefault("note_form", NoteForm() if decide(user, "add_note", case) else None)
        context.setdefault(
            "attachment_form",
            AttachmentForm() if decide(user, "add_attachment", case) else None,
        )
        context.setdefault("share_form", ShareForm(case=case) if shareable else None)
        context["grants"] = personal_grants_of(case) if shareable else []
        context.setdefault("grant_form", GrantForm(case=case) if shareable else None)
        return context


class CaseActionView(ObjectActionMixin, CaseDetailView):
    """Base of the POST endpoints on one case (network.mixins.ObjectActionMixin)."""

    redirect_url_name = "cases:case_detail"


class CaseUpdateView(CaseActionView):
    action_capability = "cases.edit_cases"

    def act(self, request, case):
        require(request.user, "change", case)
        form = CaseUpdateForm(request.POST, case=case)
        if not form.is_valid():
            return self.rerender(400, edit_form=form)
        try:
            saved = services.update_case(
                case,
                version=form.cleaned_data["version"],
                changes=form.changes(),
                actor=request.user,
            )
        except StaleVersion:
            return self.stale(form)
        except ValidationError as error:
            form.add_service_errors(error)
            return self.rerender(400, edit_form=form)
        if saved.version == case.version:
            return self.done(_("Nothing was changed."))
        return self.done(_("The case is saved."))

    def stale(self, form):
        """Someone saved the case after this person read it: nothing was saved. Show the
        current case, and what they tried to save, so they can decide again."""
        self.object = self.get_object()
        form.case = self.object
        unsaved = []
        for field, value in form.changes().items():
            name = "employer_orgnr" if field == "employer" else field
            choices = dict(form.fields[name].choices) if field in ("status", "sensitivity") else {}
            unsaved.append((form.fields[name].label, choices.get(value, value)))
        return self.rerender(409, stale=True, unsaved=unsaved)


class CaseNoteView(CaseActionView):
    action_capability = "cases.add_casenote"

    def act(self, request, case):
        require(request.user, "add_note", case)
        return self.run(
            NoteForm(request.POST),
            "note_form",
            services.add_note,
            _("The note is added."),
            "#notes",
        )


class CaseAttachmentUploadView(AttachmentUploadMixin, CaseActionView):
    action_capability = "cases.add_caseattachment"
    add_attachment = staticmethod(services.add_attachment)

    def act(self, request, case):
        require(user_of(request), "add_attachment", case)
        return super().act(request, case)


class CaseShareView(CaseActionView):
    action_capability = "cases.share_cases"

    def act(self, request, case):
        require(request.user, "share", case)
        return self.run(
            ShareForm(request.POST, case=case),
            "share_form",
            services.share_case,
            lambda form: (
                _("The case is shared with %(agency)s.")
                % {"agency": form.cleaned_data["agency"].name}
            ),
            "#shares",
        )


class CaseGrantView(CaseActionView):
    action_capability = "cases.share_cases"

    def act(self, request, case):
        require(request.user, "share", case)
        return self.run(
            GrantForm(request.POST, case=case),
            "grant_form",
            services.grant_personal_access,
            lambda form: (
                _("%(user)s now has access to the case.")
                % {"user": form.cleaned_data["user"].username}
            ),
            "#grants",
        )


class CaseRevokeGrantView(CaseActionView):
    action_capability = "cases.share_cases"

    def act(self, request, case):
        grant = get_object_or_404(
            CaseUserObjectPermission, pk=self.kwargs["grant_id"], content_object=case
        )
        services.revoke_personal_access(case, grant_id=grant.pk, actor=request.user)
        return self.done(_("The personal access has ended."), "#grants")


class CaseUnshareView(CaseActionView):
    action_capability = "cases.share_cases"

    def act(self, request, case):
        share = get_object_or_404(
            CaseGroupObjectPermission.objects.select_related("group__agency"),
            pk=self.kwargs["share_id"],
            content_object=case,
        )
        services.revoke_share(case, share_id=share.pk, actor=request.user)
        return self.done(
            _("%(agency)s no longer has access to the case.") % {"agency": share.group.agency.name},
            "#shares",
        )


class AttachmentDownloadView(AttachmentDownloadMixin, CaseScopedMixin, View):
    """A file of a visible case, served only after the download is audited."""

    record_download = staticmethod(services.record_attachment_download)


class BreakTheGlassView(CapabilityRequiredMixin, FormView):
    """Open a case outside one's scope by stating why: personal, 24 hours, reviewed."""

    template_name = "cases/break_the_glass.html"
    required_capability = "cases.break_glass_case"
    form_class = BreakTheGlassForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        """A POST by someone without the capability is still an attempt: the service audits
        it and refuses it (403), so the audit trail has every attempt (docs/security.md)."""
        if (
            request.method == "POST"
            and request.user.is_authenticated
            and not request.user.has_perm(self.required_capability)
        ):
            services.break_the_glass_by_reference(
                str(request.POST.get("reference", ""))[:40],
                justification=str(request.POST.get("justification", ""))[:4000],
                actor=user_of(request),
            )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["hours"] = services.BREAK_THE_GLASS_HOURS
        return context

    def form_valid(self, form):
        user = user_of(self.request)
        reference = form.cleaned_data["reference"]
        try:
            outcome = services.break_the_glass_by_reference(
                reference, justification=form.cleaned_data["justification"], actor=user
            )
        except ValidationError as error:
            form.add_service_errors(error)
            return self.form_invalid(form)
        if outcome == "visible":
            messages.info(self.request, _("You already have access to this case."))
            case = Case.objects.visible_to(user).get(reference=reference)
            return redirect("cases:case_detail", pk=case.pk)
        # Granted or unknown: one answer, so the page never tells whether a case exists
        # (docs/security.md "Separation of duties"); the case list shows what one may see.
        until = timezone.localtime(
            timezone.now() + timedelta(hours=services.BREAK_THE_GLASS_HOURS)
        ).strftime("%Y-%m-%d %H:%M")
        messages.warning(
            self.request,
            _(
                "If a case %(reference)s exists, you have personal access to it until "
                "%(until)s and it is listed here. Your agency's log auditors will review "
                "this request."
            )
            % {"reference": reference, "until": until},
        )
        return redirect(f"{reverse('cases:case_list')}?{urlencode({'q': reference})}")

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ReviewListView(TableListView):
    """Break-the-glass accesses by the auditor's own agency's users, pending first, in keyset
    pages; the verdict form in each pending row for an auditor who may decide."""

    template_name = "cases/review_list.html"
    required_capability = "cases.work_on_access_reviews"
    context_object_name = "rows"
    table_class = ReviewTable
    default_order = ("pending_order", "-requested_at", "-id")
    bound_forms: dict[int, ReviewForm] = {}

    def get_queryset(self):
        pending = models.Case(
            models.When(verdict=AccessReview.Verdict.PENDING, then=0),
            default=1,
            output_field=models.IntegerField(),
        )
        return (
            AccessReview.objects.visible_to(self.request.user)
            .select_related("case", "user", "reviewed_by")
            .annotate(pending_order=pending)
        )

    def decorate(self, rows):
        may_decide = self.request.user.has_perm("cases.edit_access_reviews")
        for review in rows:
            review.form = (
                self.bound_forms.get(review.pk) or ReviewForm(review=review)
                if may_decide and review.verdict == AccessReview.Verdict.PENDING
                else None
            )
        return rows


class ReviewDecideView(ReviewListView):
    http_method_names = ["post"]
    required_capability = "cases.edit_access_reviews"

    def post(self, request, pk):
        review = get_object_or_404(AccessReview.objects.visible_to(request.user), pk=pk)
        form = ReviewForm(request.POST, review=review)
        if form.is_valid():
            try:
                services.review_access(review, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(
                    request,
                    _("The review of %(user)s's access to %(reference)s is saved.")
                    % {"user": review.user.get_username(), "reference": review.case.reference},
                )
                return redirect("cases:review_list")
        self.bound_forms = {review.pk: form}
        return self.render_to_response(self.get_context_data(), status=400)
