"""The victim-referral pages in the browser: the HTML twin of cases/referrals/api.py, with the
same rules.

Every referral is fetched through `VictimReferral.objects.visible_to(user)`, which is empty for
roles that do not work with referrals: a referral outside the person's scope answers 404 on
every page and every POST, for an analyst as for another agency. Inside the scope a missing
capability, or a service's `PermissionDenied`, answers 403; a service's `ValidationError`
re-renders the page with the error next to its field (400); success redirects.

Identity fields (identifier, name, birth date) are shown masked on every page. The one
exception is the answer to "Show identity": `reveal_identity` records the purpose and the
identity is rendered into that response only, never stored in the session and never cached.
"""

import contextlib
import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, FormView

from cases.referrals import origins, services
from cases.referrals.filters import ReferralFilterSet
from cases.referrals.forms import (
    CONSENT_PURPOSES,
    ReferralCreateForm,
    ReferralNoteForm,
    ReferralShareForm,
    ReflectionApplyForm,
    ReflectionDecideForm,
    RevealForm,
    StatusForm,
    SupportMeasureForm,
    WithdrawConsentForm,
    dress_referral_filter_form,
)
from cases.referrals.models import (
    ExploitationType,
    IdentifierType,
    IloIndicator,
    MethodOfControl,
    ReferralStatus,
    ReflectionPeriod,
    VictimReferral,
)
from cases.referrals.tables import ReferralTable
from network.http import user_of
from network.mixins import (
    CapabilityRequiredMixin,
    ObjectActionMixin,
    RecordedReadMixin,
    ScopedQuerysetMixin,
)
from network.policies import decide
from network.tables import TableListView

# What the list shows. Identity fields are not even loaded from the database.
LIST_FIELDS = (
    "id",
    "reference",
    "created_at",
    "status",
    "receiving_body",
    "sex",
    "nationality",
    "birth_year",
    "is_child",
)
CONSENT_LABELS = {
    "support": gettext_lazy("Support"),
    "sharing": gettext_lazy("Sharing with other agencies"),
    "statistics": gettext_lazy("Anonymous statistics"),
}


# Statuses that end the referral: offered apart from the next steps, behind a disclosure.
_ENDINGS = services.CLOSED_REFERRAL_STATES | {"lost_contact"}


def _iso_date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _labels(codes, choices) -> list[str]:
    names = dict(choices.choices)
    return [str(names.get(code, code)) for code in codes]


def _inspection_reference(user, value) -> str:
    """The reference of an inspection the person may see (cases/referrals/origins.py). One that does not
    exist, or that the person may not see, gets the same ValidationError."""
    if isinstance(value, str):
        if not (value.isascii() and value.isdigit()):
            raise ValidationError({"inspection": [_("No such inspection.")]})
        value = int(value)
    return origins.resolve("inspection", user, value)


# --- list -----------------------------------------------------------------------------------


class ReferralListView(TableListView):
    """Visible referrals, newest first (or by a sortable column), with a keyset cursor
    (`?before=<id>`). No identity field is shown, masked or not, and none can be searched
    for (cases/referrals/filters.py)."""

    template_name = "cases/referral_list.html"
    required_capability = "cases.work_on_referrals"
    filterset_class = ReferralFilterSet
    context_object_name = "referrals"
    table_class = ReferralTable

    def get_queryset(self):
        return VictimReferral.objects.visible_to(self.request.user).only(*LIST_FIELDS)

    def get_filterset(self):
        filterset = super().get_filterset()
        dress_referral_filter_form(filterset.form)
        return filterset


# --- create ---------------------------------------------------------------------------------


class ReferralCreateView(CapabilityRequiredMixin, FormView):
    """Refer a presumed victim, optionally from a joint inspection (`?inspection=<id>`)."""

    template_name = "cases/referral_form.html"
    required_capability = "cases.add_victimreferral"
    form_class = ReferralCreateForm
    inspection_reference = ""
    origin_errors: list[str] = []

    def get(self, request, *args, **kwargs):
        raw = request.GET.get("inspection")
        initial = {}
        if raw and "inspection" in origins.available():
            try:
                self.inspection_reference = _inspection_reference(request.user, raw)
            except ValidationError as error:
                self.origin_errors = error.messages
            else:
                initial["inspection"] = int(raw)
        form = self.form_class(initial=initial)
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            inspection_reference=self.inspection_reference, origin_errors=self.origin_errors
        )
        return context

    def form_valid(self, form):
        user = user_of(self.request)
        origin, origin_reference = "other", ""
        inspection = form.cleaned_data["inspection"]
        try:
            if inspection is not None and "inspection" in origins.available():
                origin_reference = _inspection_reference(user, inspection)
                origin = "inspection"
                self.inspection_reference = origin_reference
            referral = services.create_referral(
                origin=origin,
                origin_reference=origin_reference,
                actor=user,
                **form.service_arguments(),
            )
        except ValidationError as error:
            form.add_service_errors(error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Referral %(reference)s is sent to %(body)s.")
            % {"reference": referral.reference, "body": referral.get_receiving_body_display()},
        )
        return redirect("referrals:referral_detail", pk=referral.pk)

    def form_invalid(self, form):
        if not self.inspection_reference and form.cleaned_data.get("inspection"):
            with contextlib.suppress(ValidationError):  # the error is already on the form
                self.inspection_reference = _inspection_reference(
                    self.request.user, form.cleaned_data["inspection"]
                )
        response = self.render_to_response(self.get_context_data(form=form), status=400)
        response["Cache-Control"] = "no-store"
        return response


# --- one referral ---------------------------------------------------------------------------


class ReferralScopedMixin(ScopedQuerysetMixin):
    """No role capability to open a referral: `visible_to` is empty for roles that do not
    work with referrals, so an analyst or auditor gets the 404 anyone outside gets."""

    scoped_model = VictimReferral
    select_related = ("referring_agency", "receiving_agency")


class ReferralDetailView(RecordedReadMixin, ReferralScopedMixin, DetailView):
    """One referral, identity masked. Every render of the page (a GET, a form's 400
    re-render, the identity shown after a reveal) is one audit event with its basis."""

    template_name = "cases/referral_detail.html"
    context_object_name = "referral"

    def get_context_data(self, decide_forms=None, **kwargs):
        context = super().get_context_data(**kwargs)
        referral, user = self.object, user_of(self.request)
        working = bool(decide(user, "change", referral))
        can_change = working and user.has_perm("cases.edit_referrals")
        can_reveal = bool(decide(user, "reveal", referral))
        allowed = services.REFERRAL_STATES.next_states(referral.status)
        next_statuses = [
            {"code": code, "label": label, "final": services.REFERRAL_STATES.is_final(code)}
            for code, label in ReferralStatus.choices
            if code in allowed
        ]
        context.update(
            may_work=working,
            can_change=can_change,
            can_reveal=can_reveal,
            masked_identifier=bool(referral.identifier),
            masked_name=bool(referral.name),
            masked_birth_date=referral.birth_date is not None,
            identifier_type_label=IdentifierType(referral.identifier_type).label
            if referral.identifier_type in IdentifierType.values
            else referral.identifier_type,
            indicators=_labels(referral.indicators, IloIndicator),
            exploitation_types=_labels(referral.exploitation_types, ExploitationType),
            methods_of_control=_labels(referral.methods_of_control, MethodOfControl),
            consents=[
                {
                    "purpose": purpose,
                    "label": CONSENT_LABELS[purpose],
                    "given": getattr(referral, f"consent_{purpose}"),
                    "withdrawn_on": _iso_date(referral.consent_withdrawn.get(purpose)),
                }
                for purpose in CONSENT_PURPOSES
            ],
            next_steps=[s for s in next_statuses if s["code"] not in _ENDINGS],
            endings=[s for s in next_statuses if s["code"] in _ENDINGS],
            final_endings=[
                str(s["label"]) for s in next_statuses if s["code"] in _ENDINGS and s["final"]
            ],
            needs_overriding_basis=not referral.is_child and not referral.consent_sharing,
            overriding_bases=[
                str(basis.label)
                for basis in sorted(services.CONSENT_OVERRIDING_BASES, key=lambda b: str(b.label))
            ],
        )
        if user.has_perm("cases.edit_referrals"):
            periods = list(referral.reflection_periods.all())
        else:
            periods = []
        decide_forms = decide_forms or {}
        context["reflection_rows"] = [
            (
                period,
                decide_forms.get(period.pk) or ReflectionDecideForm(period=period)
                if can_change and period.status == ReflectionPeriod.Status.SUBMITTED
                else None,
            )
            for period in periods
        ]
        context["shares"] = (
            referral.shares.filter(
                Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()), owner=False
            )
            .select_related("group__agency", "granted_by")
            .order_by("-granted_at", "-id")
            if working
            else []
        )
        # A closed referral is read, not worked: no forms for support, notes, shares or
        # applications (the services refuse them too).
        closed = referral.status in services.CLOSED_REFERRAL_STATES
        context["closed"] = closed
        if closed:
            for name in ("share_form", "reflection_form", "note_form", "support_form"):
                context[name] = None
        context.setdefault("identity", None)
        context.setdefault("reveal_form", RevealForm() if can_reveal else None)
        context.setdefault("status_form", StatusForm() if can_change else None)
        context.setdefault(
            "share_form",
            ReferralShareForm(referral=referral) if decide(user, "share", referral) else None,
        )
        context.setdefault("reflection_form", ReflectionApplyForm() if can_change else None)
        # Notes and support may name the person: only for those who work the referral.
        context["notes"] = referral.notes.select_related("author", "agency") if working else []
        context["support_measures"] = referral.support_measures.all() if working else []
        context.setdefault("note_form", ReferralNoteForm() if can_change else None)
        context.setdefault("support_form", SupportMeasureForm() if can_change else None)
        return context


class ReferralActionView(ObjectActionMixin, ReferralDetailView):
    """Base of the POST endpoints on one referral (network.mixins.ObjectActionMixin)."""

    redirect_url_name = "referrals:referral_detail"


class ReferralRevealView(ReferralActionView):
    """The identity, in this response only (no redirect, nothing stored, not cached)."""

    action_capability = "cases.reveal_identity"

    def act(self, request, referral):
        form = RevealForm(request.POST)
        if form.is_valid():
            try:
                identity = services.reveal_identity(
                    referral, purpose=form.cleaned_data["purpose"], actor=request.user
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                # The reveal's own event is the record of this read (with its purpose).
                self.read_recorded = True
                response = self.rerender(200, identity=_displayed(identity), reveal_form=None)
                response["Cache-Control"] = "no-store"
                return response
        response = self.rerender(400, reveal_form=form)
        response["Cache-Control"] = "no-store"
        return response


def _displayed(identity: dict) -> dict:
    """Swedish numbers are stored as 12 digits; people read them as YYYYMMDD-NNNN."""
    number = identity["identifier"]
    if identity["identifier_type"] in {
        IdentifierType.PERSONNUMMER,
        IdentifierType.SAMORDNINGSNUMMER,
    } and (len(number) == 12 and number.isdigit()):
        number = f"{number[:8]}-{number[8:]}"
    return {**identity, "identifier": number}


class ReferralStatusView(ReferralActionView):
    action_capability = "cases.edit_referrals"

    def act(self, request, referral):
        return self.run(
            StatusForm(request.POST),
            "status_form",
            services.change_referral_status,
            lambda form: (
                _("The status is now: %(status)s.")
                % {"status": ReferralStatus(form.cleaned_data["status"]).label}
            ),
            "#status",
        )


class ReferralWithdrawConsentView(ReferralActionView):
    action_capability = "cases.edit_referrals"

    def act(self, request, referral):
        return self.run(
            WithdrawConsentForm(request.POST),
            "withdraw_form",
            services.withdraw_consent,
            lambda form: (
                _("The withdrawal of consent (%(purpose)s) is recorded with today's date.")
                % {"purpose": CONSENT_LABELS[form.cleaned_data["purpose"]]}
            ),
            "#consent",
        )


class ReferralShareView(ReferralActionView):
    action_capability = "cases.share_referrals"

    def act(self, request, referral):
        services.require_open(referral)  # 403 before the form is read
        return self.run(
            ReferralShareForm(request.POST, referral=referral),
            "share_form",
            services.share_referral,
            lambda form: (
                _("The referral is shared with %(agency)s.")
                % {"agency": form.cleaned_data["agency"].name}
            ),
            "#shares",
        )


class ReferralNoteView(ReferralActionView):
    action_capability = "cases.edit_referrals"

    def act(self, request, referral):
        services.require_open(referral)  # 403 before the form is read
        return self.run(
            ReferralNoteForm(request.POST),
            "note_form",
            services.add_referral_note,
            _("The note is added."),
            "#notes",
        )


class SupportMeasureView(ReferralActionView):
    action_capability = "cases.edit_referrals"

    def act(self, request, referral):
        services.require_open(referral)  # 403 before the form is read
        return self.run(
            SupportMeasureForm(request.POST),
            "support_form",
            services.add_support_measure,
            _("The support is recorded."),
            "#support",
        )


class ReflectionApplyView(ReferralActionView):
    action_capability = "cases.edit_referrals"

    def act(self, request, referral):
        services.require_open(referral)  # 403 before the form is read
        return self.run(
            ReflectionApplyForm(request.POST),
            "reflection_form",
            services.apply_for_reflection_period,
            _("The application for a reflection period is recorded."),
            "#reflection",
        )


class ReflectionDecideView(ReferralActionView):
    action_capability = "cases.edit_referrals"

    def act(self, request, referral):
        period = get_object_or_404(referral.reflection_periods, pk=self.kwargs["period_id"])
        form = ReflectionDecideForm(request.POST, period=period)
        if not form.is_valid():
            return self.rerender(400, decide_forms={period.pk: form})
        try:
            services.decide_reflection_period(period, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
            return self.rerender(400, decide_forms={period.pk: form})
        messages.success(request, _("Migrationsverket's decision is recorded."))
        return redirect(reverse("referrals:referral_detail", args=[referral.pk]) + "#reflection")
