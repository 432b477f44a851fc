"""Forms of the case pages. They check the shape of the input; the services decide.

A service's `ValidationError` is shown next to the field it names (`add_service_errors`), so a
rule lives in one place (cases/coordination/services.py) and the browser and the API give the same answer.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases.coordination.models import AccessReview, Case, CaseStatus, Sensitivity
from cases.coordination.services import CASE_STATES, MIN_JUSTIFICATION
from cases.employers.models import Employer
from cases.grants import MIN_REASON, SHAREABLE_LEGAL_BASES
from network.forms import (
    LegalBasisForm,
    ServiceErrorsMixin,
    choice_field,
    model_choice_field,
    plain_text,
)
from network.identifiers import parse_orgnr
from network.models import Agency, User


def _orgnr_digits(value: str) -> str:
    """The 10 stored digits of an organisation number, or "" when none was given."""
    if not value.strip():
        return ""
    return parse_orgnr(value).digits


ORGNR_HELP = _("10 digits, e.g. 556036-0793, or a sole trader's personal identity number.")


class _CaseFieldsForm(ServiceErrorsMixin, forms.Form):
    """The fields a case is opened and edited with, alike on both forms."""

    title = forms.CharField(label=_("title"), max_length=200)
    summary = forms.CharField(
        label=_("summary"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    employer_orgnr = forms.CharField(
        label=_("employer (org. no.)"),
        required=False,
        max_length=20,
        help_text=ORGNR_HELP,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_summary(self):
        return plain_text(self.cleaned_data["summary"])


class CaseCreateForm(_CaseFieldsForm):
    service_fields = {"orgnr": "employer_orgnr", "name": "employer_name"}

    employer_name = forms.CharField(
        label=_("employer's name"),
        required=False,
        max_length=200,
        help_text=_("Only needed when the employer is not registered in akrim yet."),
    )
    sensitivity = forms.ChoiceField(
        label=_("sensitivity"), choices=Sensitivity.choices, initial=Sensitivity.NORMAL
    )

    employer: Employer | None = None

    def clean_employer_orgnr(self):
        return _orgnr_digits(self.cleaned_data["employer_orgnr"])

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        digits = cleaned.get("employer_orgnr")
        if digits:
            self.employer = Employer.objects.filter(orgnr=digits).first()
            if self.employer is None and not cleaned.get("employer_name", "").strip():
                self.add_error(
                    "employer_name",
                    _("This employer is not registered yet: enter its name to register it."),
                )
        return cleaned


class CaseUpdateForm(_CaseFieldsForm):
    """Edits one case. `version` is the version the person read: a stale one is refused."""

    service_fields = {"employer": "employer_orgnr"}

    status = forms.ChoiceField(label=_("status"), choices=CaseStatus.choices)
    sensitivity = forms.ChoiceField(label=_("sensitivity"), choices=Sensitivity.choices)
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, case: Case, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "title": case.title,
                "summary": case.summary,
                "employer_orgnr": case.employer.formatted_orgnr if case.employer else "",
                "status": case.status,
                "sensitivity": case.sensitivity,
                "version": case.version,
            },
        )
        super().__init__(*args, **kwargs)
        self.case = case
        # Offer only the moves the case can make from where it is (CASE_STATES).
        current = CaseStatus(case.status)
        allowed = {current, *CASE_STATES.next_states(current)}
        choice_field(self, "status").choices = [c for c in CaseStatus.choices if c[0] in allowed]

    def clean_employer_orgnr(self) -> Employer | None:
        digits = _orgnr_digits(self.cleaned_data["employer_orgnr"])
        if not digits:
            return None
        employer = Employer.objects.filter(orgnr=digits).first()
        if employer is None:
            raise ValidationError(_("No employer with this organisation number is registered."))
        return employer

    def changes(self) -> dict:
        """The fields whose value differs from the case as loaded (the service diffs too;
        this keeps a re-sent, unchanged text from being recorded as a change)."""
        data = self.cleaned_data
        values = {
            "title": data["title"],
            "summary": data["summary"],
            "employer": data["employer_orgnr"],
            "status": data["status"],
            "sensitivity": data["sensitivity"],
        }
        changed = {}
        for field, value in values.items():
            current = getattr(self.case, field)
            if isinstance(value, str) and isinstance(current, str):
                if plain_text(value) == plain_text(current):
                    continue
            elif value == current:
                continue
            changed[field] = value
        return changed


class NoteForm(ServiceErrorsMixin, forms.Form):
    text = forms.CharField(
        label=_("note"), max_length=20000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_text(self):
        return plain_text(self.cleaned_data["text"])


class ShareForm(LegalBasisForm):
    """Share a case with another agency on a recorded legal basis."""

    legal_bases = SHAREABLE_LEGAL_BASES
    min_reason = MIN_REASON
    reason_help = _(
        "Why the other agency needs the case. For OSL 10:15 a, record the balancing of "
        "interests; for another statute, name it."
    )
    expires_help = _("Optional. Leave empty for a share that lasts until you end it.")

    agency = forms.ModelChoiceField(
        label=_("agency"), queryset=Agency.objects.none(), to_field_name="code"
    )
    access = forms.ChoiceField(
        label=_("access"),
        choices=[("view", _("View")), ("edit", _("Edit"))],
        initial="view",
        widget=forms.RadioSelect,
    )
    field_order = ["agency", "access", "legal_basis", "reason", "expires_at"]

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "agency").queryset = Agency.objects.filter(
            active=True, group__isnull=False
        ).exclude(pk=case.owner_agency_id)


class GrantForm(ShareForm):
    """Give one named person access, on a recorded legal basis (e.g. a prosecutor)."""

    user = forms.ModelChoiceField(
        label=_("username"),
        queryset=User.objects.none(),
        to_field_name="username",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    field_order = ["user", "access", "legal_basis", "reason", "expires_at"]

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        del self.fields["agency"]
        model_choice_field(self, "user").queryset = User.objects.filter(
            is_active=True, membership__active=True
        )
        self.fields["user"].error_messages["invalid_choice"] = _("No such user.")


class BreakTheGlassForm(ServiceErrorsMixin, forms.Form):
    reference = forms.CharField(
        label=_("reference"),
        max_length=20,
        help_text=_("The case's reference, e.g. AK-2026-000123."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    justification = forms.CharField(
        label=_("justification"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["justification"].help_text = _(
            "Why you need the case now (at least %(n)s characters)."
        ) % {"n": MIN_JUSTIFICATION}

    def clean_reference(self):
        return self.cleaned_data["reference"].strip().upper()


class ReviewForm(ServiceErrorsMixin, forms.Form):
    """An auditor's verdict on one break-the-glass access."""

    verdict = forms.ChoiceField(
        label=_("verdict"),
        choices=[
            (AccessReview.Verdict.JUSTIFIED, AccessReview.Verdict.JUSTIFIED.label),
            (AccessReview.Verdict.UNJUSTIFIED, AccessReview.Verdict.UNJUSTIFIED.label),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("comment"),
        required=False,
        max_length=4000,
        help_text=_("Required when the access was not justified."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, review: AccessReview, **kwargs):
        # Many of these forms share one page: keep their element ids apart.
        kwargs.setdefault("auto_id", f"id_review{review.pk}_%s")
        super().__init__(*args, **kwargs)
        self.review = review
