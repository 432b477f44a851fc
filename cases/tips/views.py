"""Public tips: the open form at /tips/ and the coordinators' triage.

The form needs no account and sets no tracking. Abuse protection is ours alone: a rate limit
per address (a friendly 429 page), a hidden field only programs fill in, and a minimum time
with the form open. Only the hidden field is dropped silently (a program sees a receipt
without a code); a form sent too quickly comes back filled in, with its original time stamp, so
no person is ever thanked for a tip that was not stored. Both are counted. Everything a sender wrote is shown escaped wherever it appears.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from cases.tips import services
from cases.tips.filters import TipFilterSet
from cases.tips.forms import (
    TipForm,
    TriageCaseForm,
    TriageDismissForm,
    TriageEmployerForm,
    TriageForwardForm,
)
from cases.tips.models import Observation, Tip
from cases.tips.policies import is_tip_coordinator
from cases.tips.states import allowed_actions
from cases.tips.tables import TipTable
from network import ratelimit
from network.mixins import CapabilityRequiredMixin
from network.origin import posted_from_this_site
from network.policies import decide, record_read, require
from network.tables import TableListView


@method_decorator(csrf_exempt, name="dispatch")
class PublicTipView(View):
    """The public page: what the campaign is, what happens with a tip, and the form.

    It sets no cookie at all, as it promises (docs/security.md "The public tip page"): no
    CSRF token cookie (a POST must come from this site by its Origin or Referer,
    `network.origin`, and carries the signed time stamp), and the language is chosen with
    `?lang=` instead of the cookie-setting language form."""

    template_name = "cases/tip_form.html"

    def dispatch(self, request, *args, **kwargs):
        language = request.GET.get("lang", "")
        if language not in dict(settings.LANGUAGES):
            return super().dispatch(request, *args, **kwargs)
        request.LANGUAGE_CODE = language
        # Only for this response: the thread's language is not left changed behind it.
        with translation.override(language):
            return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return render(
            request, self.template_name, {"form": TipForm(initial={"started": TipForm.stamp()})}
        )

    def post(self, request):
        if not posted_from_this_site(request):
            return render(request, "cases/tip_refused.html", status=403)
        wait = ratelimit.check(request, ("tips:ip", ratelimit.client_ip(request)))
        if wait:
            response = render(request, "cases/tip_slow_down.html", status=429)
            response["Retry-After"] = str(wait)
            return response
        if request.POST.get("website"):
            # Only programs fill in the hidden field: they get a receipt without a code.
            services.count_dropped_tip("honeypot")
            return render(request, "cases/tip_receipt.html", {"code": None})
        form = TipForm(request.POST)
        seconds = form.seconds_since_shown()
        if seconds is None:
            # A missing, forged or day-old stamp: a person may still be behind it, so the
            # form comes back with what they wrote and a fresh stamp; nothing is stored.
            form.restamp()
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        if seconds is None or seconds < settings.AKRIM_TIP_MIN_SECONDS:
            # Never a receipt for a tip that was not stored: the same form again, filled in,
            # with the original stamp, so the next press of the button is accepted.
            services.count_dropped_tip("too_fast")
            return render(
                request,
                self.template_name,
                {"form": form, "send_again": True},
                status=400,
            )
        try:
            tip = services.submit_tip(data=form.cleaned_data, language=get_language() or "sv")
        except ValidationError as error:
            form.add_service_errors(error)
            return render(request, self.template_name, {"form": form}, status=400)
        return render(request, "cases/tip_receipt.html", {"code": tip.code})


class TipTriageListView(TableListView):
    """The triage queue, by county and centre; forwarded tips for the receiving agency.
    Newest first (or by the time received), in keyset pages."""

    template_name = "cases/tip_list.html"
    required_capability = "cases.work_on_tips"
    context_object_name = "tips"
    table_class = TipTable
    default_order = ("-received_at", "-id")

    filterset_class = TipFilterSet

    def get_queryset(self):
        return Tip.objects.visible_to(self.request.user).select_related("county", "forwarded_to")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_triage"] = is_tip_coordinator(self.request.user)
        return context


# What each triage action does and when to use it, in the page's order (cases/tips/states.py
# decides which of them the tip still allows).
TRIAGE_ACTIONS = {
    "case": (
        _lazy("Open a case"),
        _lazy(
            "Opens a case owned by the agency you choose, with the tip as its summary. Use it when"
            " the tip points to crime that one agency should investigate."
        ),
    ),
    "propose": (
        _lazy("Propose for an inspection"),
        _lazy(
            "Marks the workplace as a candidate for a joint control; you can then plan the control"
            " from this page. Use it when a visit on site is the way to find out more."
        ),
    ),
    "forward": (
        _lazy("Forward"),
        _lazy(
            "Hands the tip to one agency, whose staff can then read it. Use it when the tip"
            " concerns only that agency's area, e.g. taxes for Skatteverket."
        ),
    ),
    "employer": (
        _lazy("Link to the employer"),
        _lazy(
            "Connects the tip to a registered employer by organisation number, so it shows on the"
            " employer's profile and counts in the risk ranking. Use it when you know which"
            " employer the tip is about; the tip still needs a decision afterwards."
        ),
    ),
    "dismiss": (
        _lazy("Dismiss"),
        _lazy(
            "Closes the tip without further action; the reason is kept in the tip's history. Use"
            " it for tips that are not about work-life crime, repeat an earlier tip or cannot be"
            " followed up."
        ),
    ),
}


# The tip's history in words (cases/tips/services.py, tip_history).
HISTORY_SENTENCES = {
    "tip.received": _lazy("sent the tip"),
    "tip.dismissed": _lazy("dismissed the tip"),
    "tip.case_created": _lazy("opened a case from the tip"),
    "tip.proposed": _lazy("proposed the tip for an inspection"),
    "tip.forwarded": _lazy("forwarded the tip"),
    "tip.employer_linked": _lazy("linked the tip to an employer"),
    "tip.inspection_planned": _lazy("planned a control from the tip"),
}


class TipDetailView(CapabilityRequiredMixin, View):
    """One tip, its history, its possible duplicates and the triage actions that still apply."""

    template_name = "cases/tip_detail.html"
    required_capability = "cases.work_on_tips"

    def _tip(self, request, pk):
        return get_object_or_404(
            Tip.objects.visible_to(request.user).select_related(
                "county", "employer", "case", "forwarded_to"
            ),
            pk=pk,
        )

    def get(self, request, pk):
        tip = self._tip(request, pk)
        return self.render(request, tip)

    def render(self, request, tip, status=200, **forms):
        """Every render of the tip (a GET, a failed triage form's 400) records a read."""
        record_read(request.user, tip, require(request.user, "view", tip), route="tips:tip_detail")
        triage = bool(decide(request.user, "triage", tip))
        allowed = allowed_actions(tip) if triage else []
        context = {
            "tip": tip,
            "can_triage": triage,
            "observations": [
                Observation(code).label for code in tip.observations if code in Observation.values
            ],
            "actions": [
                {"name": name, "label": TRIAGE_ACTIONS[name][0], "help": TRIAGE_ACTIONS[name][1]}
                for name in allowed
            ],
            "history": [
                {
                    **row,
                    "sentence": HISTORY_SENTENCES.get(
                        row["action"], _lazy("did something with the tip")
                    ),
                }
                for row in services.tip_history(tip, user=request.user)
            ],
            "planned": tip.inspections.visible_to(request.user).order_by("planned_date"),
            "may_plan": triage
            and request.user.has_perm("inspections.add_inspection")
            and services.may_plan_inspection(tip),
            "duplicates": services.possible_duplicates(tip, Tip.objects.visible_to(request.user))
            if triage
            else [],
            "dismiss_form": forms.get("dismiss_form") or TriageDismissForm(),
            "case_form": forms.get("case_form") or TriageCaseForm(),
            "forward_form": forms.get("forward_form") or TriageForwardForm(),
            "employer_form": forms.get("employer_form")
            or TriageEmployerForm(initial={"orgnr": tip.orgnr}),
            "action_errors": forms.get("action_errors", []),
        }
        return render(request, self.template_name, context, status=status)

    def post(self, request, pk):
        tip = self._tip(request, pk)
        require(request.user, "triage", tip)
        action = request.POST.get("action")
        forms_by_action = {
            "dismiss": ("dismiss_form", TriageDismissForm),
            "case": ("case_form", TriageCaseForm),
            "forward": ("forward_form", TriageForwardForm),
            "employer": ("employer_form", TriageEmployerForm),
            "propose": (None, None),
        }
        if action not in forms_by_action:
            raise Http404
        if action not in allowed_actions(tip):
            # The tip's state no longer allows this (states.py): the page does not offer it.
            raise PermissionDenied(_("This decision no longer applies to the tip."))
        name, form_class = forms_by_action[action]
        form = form_class(request.POST) if form_class else None
        if form is not None and not form.is_valid():
            return self.render(request, tip, 400, **{str(name): form})
        data = form.cleaned_data if form is not None else {}
        try:
            if action == "dismiss":
                services.dismiss_tip(tip, reason=data["reason"], actor=request.user)
                message = _("The tip is dismissed. The reason is kept in its history.")
            elif action == "case":
                case = services.create_case_from_tip(
                    tip, owner_agency=data["owner_agency"], actor=request.user
                )
                message = _("Case %(ref)s is opened for %(agency)s.") % {
                    "ref": case.reference,
                    "agency": data["owner_agency"].name,
                }
            elif action == "forward":
                services.forward_tip(tip, agency=data["agency"], actor=request.user)
                message = _("The tip is forwarded to %(agency)s; its staff can read it now.") % {
                    "agency": data["agency"].name
                }
            elif action == "employer":
                services.link_tip_to_employer(tip, orgnr=data["orgnr"], actor=request.user)
                message = _("The tip is linked to %(employer)s. Decide what happens next.") % {
                    "employer": tip.employer.name
                }
            else:
                services.propose_tip_for_inspection(tip, actor=request.user)
                message = _("The tip is proposed for an inspection. You can plan it now.")
        except ValidationError as error:
            if form is None:
                return self.render(request, tip, 400, action_errors=error.messages)
            form.add_service_errors(error)
            return self.render(request, tip, 400, **{str(name): form})
        messages.success(request, message)
        return redirect(reverse("tips:tip_detail", args=[tip.pk]))
