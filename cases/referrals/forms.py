"""Forms of the referral pages. They check the shape of the input; the services decide.

`create_referral` names its errors like the API's nested body ("person.identifier",
"consent.support"); `ReferralCreateForm.service_fields` maps each to the flat field that shows
it. Identity fields (identifier, name) are never sent back to the browser, not even in the
form that comes back with an error: the person types them again.
"""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models.fields import BLANK_CHOICE_LABEL
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.grants import MIN_REASON, SHAREABLE_LEGAL_BASES
from cases.referrals.models import (
    ExploitationType,
    IdentifierType,
    IloIndicator,
    MethodOfControl,
    ProtectedIdentity,
    ReceivingBody,
    ReferralStatus,
    ReflectionPeriod,
    Sex,
    SupportMeasure,
    VictimReferral,
)
from network.forms import (
    LegalBasisForm,
    ServiceErrorsMixin,
    SniCodeField,
    choice_field,
    model_choice_field,
    plain_text,
)
from network.models import Agency
from network.names import country_choices

DATE = {"type": "date"}
PERSON_FIELDS = (
    "identifier_type",
    "identifier",
    "name",
    "birth_year",
    "sex",
    "nationality",
    "language",
    "protected_identity",
)
CONSENT_PURPOSES = ("support", "sharing", "statistics")
REVEAL_PURPOSE_HELP = _("State why you need the identity (at least 10 characters).")


def dress_referral_filter_form(form) -> None:
    """The shared ReferralFilterSet's `is_child` is a yes/no/any filter; say so in words
    rather than Django's "Unknown". The submitted values are the ones the API takes."""
    form.fields["is_child"].widget = forms.Select(
        choices=[("", BLANK_CHOICE_LABEL), ("true", _("Yes")), ("false", _("No"))]
    )
    form.fields["reference"].widget.attrs.update(
        {"autocomplete": "off", "autocapitalize": "characters"}
    )


class UnechoedTextInput(forms.TextInput):
    """A text input whose value is never rendered back into the page."""

    def get_context(self, name, value, attrs):
        return super().get_context(name, None, attrs)


def _unechoed(**attrs):
    return UnechoedTextInput(attrs={"autocomplete": "off", "spellcheck": "false", **attrs})


class ReferralCreateForm(ServiceErrorsMixin, forms.Form):
    """Refer a presumed victim. The flat twin of the API's nested create body."""

    service_fields = {
        **{f"person.{name}": name for name in PERSON_FIELDS},
        **{f"consent.{purpose}": f"consent_{purpose}" for purpose in CONSENT_PURPOSES},
        # The origin is a hidden field: its error belongs to the form as a whole.
        "inspection": NON_FIELD_ERRORS,
    }

    # The person.
    identifier_type = forms.ChoiceField(
        label=_("type of identifier"),
        choices=IdentifierType.choices,
        initial=IdentifierType.NONE,
    )
    identifier = forms.CharField(
        label=_("identifier"),
        required=False,
        max_length=40,
        help_text=_(
            "Personal identity number (10 or 12 digits), coordination number or passport "
            "number. Leave empty if the person has none or does not want to give it."
        ),
        widget=_unechoed(),
    )
    name = forms.CharField(label=_("name"), required=False, max_length=200, widget=_unechoed())
    birth_year = forms.IntegerField(
        label=_("year of birth"),
        required=False,
        min_value=1900,
        max_value=2100,
        help_text=_("If known or estimated. Taken from the identity number when there is one."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    sex = forms.ChoiceField(label=_("sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    nationality = forms.ChoiceField(
        label=_("nationality"),
        required=False,
        help_text=_("The country of citizenship. Type the first letters to jump in the list."),
        error_messages={"invalid_choice": _("Choose a country from the list.")},
    )
    language = forms.CharField(
        label=_("language"),
        required=False,
        max_length=40,
        help_text=_("The language the person prefers, so support can bring an interpreter."),
    )
    protected_identity = forms.ChoiceField(
        label=_("protected identity"),
        choices=ProtectedIdentity.choices,
        initial=ProtectedIdentity.NONE,
    )
    is_child = forms.BooleanField(
        label=_("the person is a child (under 18)"),
        required=False,
        help_text=_(
            "A child needs no consent. The referral goes to the safeguarding flow with the "
            "social services, who are responsible for the child's protection."
        ),
    )

    # Where the referral goes, and what the person agrees to.
    receiving_body = forms.ChoiceField(
        label=_("receiving body"),
        choices=[("", BLANK_CHOICE_LABEL), *ReceivingBody.choices],
        help_text=_("Who takes the referral on and contacts the person about support."),
    )
    consent_support = forms.BooleanField(
        label=_("consents to being referred for support"),
        required=False,
        help_text=_(
            "The person agrees that we pass their details to the receiving body so that it "
            "can contact them and offer support. An adult must agree to this."
        ),
    )
    consent_sharing = forms.BooleanField(
        label=_("consents to sharing with other agencies"),
        required=False,
        help_text=_(
            "The person agrees that the referral may be shown to other agencies that help "
            "them. Without this, it is shared only where the law requires it."
        ),
    )
    consent_statistics = forms.BooleanField(
        label=_("consents to anonymous statistics"),
        required=False,
        help_text=_(
            "The person agrees to be counted in statistics. Statistics never contain a name "
            "or an identity number, and small groups are never shown."
        ),
    )

    # What was seen.
    indicators = forms.MultipleChoiceField(
        label=_("indicators of forced labour (ILO)"),
        required=False,
        choices=IloIndicator.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    exploitation_types = forms.MultipleChoiceField(
        label=_("types of exploitation"),
        required=False,
        choices=ExploitationType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    methods_of_control = forms.MultipleChoiceField(
        label=_("methods of control"),
        required=False,
        choices=MethodOfControl.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    industry_sni = SniCodeField(
        label=_("industry (SNI)"),
        required=False,
        help_text=_("Type part of the industry's name or its code and choose from the list."),
    )
    police_report_made = forms.BooleanField(
        label=_("a police report has been made"),
        required=False,
        help_text=_("Not needed for a referral. Tick only if a report has already been made."),
    )
    inspection = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def clean_language(self):
        return self.cleaned_data["language"].strip()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Countries in the reader's language and alphabetical order; the code is sent.
        choice_field(self, "nationality").choices = [("", _("Not known")), *country_choices()]

    def service_arguments(self) -> dict:
        """The keyword arguments of `services.create_referral`, as the API passes them."""
        data = self.cleaned_data
        return {
            "person": {name: data[name] for name in PERSON_FIELDS},
            "receiving_body": data["receiving_body"],
            "consent": {purpose: data[f"consent_{purpose}"] for purpose in CONSENT_PURPOSES},
            "is_child": data["is_child"],
            "indicators": data["indicators"],
            "exploitation_types": data["exploitation_types"],
            "methods_of_control": data["methods_of_control"],
            "industry_sni": data["industry_sni"],
            "police_report_made": data["police_report_made"],
        }

    @property
    def typed_identity(self) -> bool:
        """The person typed an identifier or a name that the page does not send back."""
        return self.is_bound and any(
            (self.data.get(name) or "").strip() for name in ("identifier", "name")
        )


class RevealForm(ServiceErrorsMixin, forms.Form):
    purpose = forms.CharField(
        label=_("purpose"),
        max_length=1000,
        help_text=REVEAL_PURPOSE_HELP,
        error_messages={"required": REVEAL_PURPOSE_HELP},
        widget=forms.Textarea(attrs={"rows": 2, "minlength": 10}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_reveal_%s")
        super().__init__(*args, **kwargs)

    def clean_purpose(self):
        return plain_text(self.cleaned_data["purpose"])


class StatusForm(ServiceErrorsMixin, forms.Form):
    """One button per allowed next status; the service checks the transition."""

    status = forms.ChoiceField(label=_("status"), choices=ReferralStatus.choices)


class WithdrawConsentForm(ServiceErrorsMixin, forms.Form):
    purpose = forms.ChoiceField(
        label=_("purpose"), choices=[(purpose, purpose) for purpose in CONSENT_PURPOSES]
    )


class ReferralShareForm(LegalBasisForm):
    """Share a referral with another agency on a recorded legal basis."""

    legal_bases = SHAREABLE_LEGAL_BASES
    min_reason = MIN_REASON
    reason_help = _("Why the other agency needs the referral; for a duty, name the statute.")
    expires_help = _("Optional. Leave empty for a share that lasts until it is ended.")

    agency = forms.ModelChoiceField(
        label=_("agency"), queryset=Agency.objects.none(), to_field_name="code"
    )
    field_order = ["agency", "legal_basis", "reason", "expires_at"]

    def __init__(self, *args, referral: VictimReferral, **kwargs):
        kwargs.setdefault("auto_id", "id_share_%s")
        super().__init__(*args, **kwargs)
        # Agencies that see the referral anyway are not offered.
        model_choice_field(self, "agency").queryset = (
            Agency.objects.filter(active=True, group__isnull=False)
            .exclude(pk__in=[referral.referring_agency_id, referral.receiving_agency_id or 0])
            .exclude(is_national_coordinator=True)
        )


APPLICANTS = ReflectionPeriod.APPLICANTS


class ReflectionApplyForm(ServiceErrorsMixin, forms.Form):
    applicant = forms.ChoiceField(
        label=_("applicant"),
        choices=[("", BLANK_CHOICE_LABEL), *APPLICANTS],
        help_text=_("Migrationsverket decides on an application from either of these."),
    )
    submitted_on = forms.DateField(label=_("submitted on"), widget=forms.DateInput(attrs=DATE))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_reflection_%s")
        kwargs.setdefault("initial", {"submitted_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ReflectionDecideForm(ServiceErrorsMixin, forms.Form):
    """Migrationsverket's decision on one application. Several may share a page."""

    granted = forms.TypedChoiceField(
        label=_("decision"),
        choices=[("yes", _("Granted")), ("no", _("Refused"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    decided_on = forms.DateField(label=_("decided on"), widget=forms.DateInput(attrs=DATE))

    def __init__(self, *args, period: ReflectionPeriod, **kwargs):
        kwargs.setdefault("auto_id", f"id_decide{period.pk}_%s")
        kwargs.setdefault("initial", {"decided_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.period = period


class ReferralNoteForm(ServiceErrorsMixin, forms.Form):
    text = forms.CharField(
        label=_("note"), max_length=20000, widget=forms.Textarea(attrs={"rows": 3})
    )


class SupportMeasureForm(ServiceErrorsMixin, forms.Form):
    programme = forms.ChoiceField(label=_("programme"), choices=SupportMeasure.PROGRAMMES)
    kind = forms.CharField(label=_("kind of support"), max_length=100)
    provider = forms.CharField(label=_("provider"), max_length=200, required=False)
    starts_on = forms.DateField(
        label=_("starts on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("ends on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
