"""The public tip form: plain words, everything optional but the place, no uploads."""

import time

from django import forms
from django.core import signing
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from cases.tips.models import Observation, TipIndustry
from network.forms import ServiceErrorsMixin
from network.models import Agency, County

STARTED_SALT = "akrim.tips.started"


class TipForm(ServiceErrorsMixin, forms.Form):
    data: QueryDict  # bound from the request's POST

    address = forms.CharField(label=_("Address of the workplace"), max_length=200)
    municipality = forms.CharField(label=_("Municipality or town"), max_length=100)
    county = forms.ModelChoiceField(
        label=_("County"),
        queryset=County.objects.order_by("code"),
        required=False,
        to_field_name="code",
        empty_label=_("Do not know"),
    )
    industry = forms.ChoiceField(label=_("What kind of business?"), choices=TipIndustry.choices)
    employer_name = forms.CharField(
        label=_("Name of the business (if you know it)"), max_length=200, required=False
    )
    orgnr = forms.CharField(
        label=_("Organisation number (if you know it)"),
        max_length=13,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    observations = forms.MultipleChoiceField(
        label=_("What have you seen?"),
        choices=Observation.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(
        label=_("Tell us more"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What, who, how many. Do not put yourself at risk."),
    )
    seen_when = forms.CharField(label=_("When?"), max_length=100, required=False)
    contact_name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    contact_phone = forms.CharField(label=_("Your phone"), max_length=40, required=False)
    contact_email = forms.EmailField(label=_("Your e-mail"), required=False)
    # Anti-spam: a field people never see (filled only by programs) and the time the form
    # was shown, signed so it cannot be forged.
    website = forms.CharField(required=False, label=_("Leave this empty"))
    started = forms.CharField(widget=forms.HiddenInput)

    @staticmethod
    def stamp() -> str:
        return signing.dumps(time.time(), salt=STARTED_SALT)

    def restamp(self) -> None:
        """Give a bound form a fresh stamp (its own was missing or forged)."""
        self.data = self.data.copy()
        self.data["started"] = self.stamp()

    def seconds_since_shown(self) -> float | None:
        """How long the form was open; None if the stamp is missing or forged."""
        try:
            shown = signing.loads(self.data.get("started", ""), salt=STARTED_SALT, max_age=86400)
        except signing.BadSignature:
            return None
        return time.time() - float(shown)


class TriageDismissForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=_("reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class TriageCaseForm(ServiceErrorsMixin, forms.Form):
    owner_agency = forms.ModelChoiceField(
        label=_("owner agency"), queryset=Agency.objects.filter(active=True), to_field_name="code"
    )


class TriageForwardForm(ServiceErrorsMixin, forms.Form):
    agency = forms.ModelChoiceField(
        label=_("agency"), queryset=Agency.objects.filter(active=True), to_field_name="code"
    )


class TriageEmployerForm(ServiceErrorsMixin, forms.Form):
    orgnr = forms.CharField(label=_("organisation number"), max_length=13)
