"""Forms of the joint-control pages. They check the shape of the input; the services decide.

A service's `ValidationError` is shown next to the field it names (`add_service_errors`), so a
rule lives in one place (inspections/services.py) and the browser and the API answer alike.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models.fields import BLANK_CHOICE_LABEL
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspections.choices import (
    MONETARY_DECISIONS,
    DecisionType,
    EmployerRole,
    FindingCategory,
    ParticipationMode,
    RightToWork,
    Scope,
    SelectionBasis,
    Severity,
    WorkplaceType,
    categories_for,
)
from inspections.models import ControlOperation, Finding, Inspection
from network.files import ATTACHMENT_TYPES
from network.forms import ServiceErrorsMixin, plain_text
from network.models import Agency, Centre, County

SNI_PATTERN = re.compile(r"^[0-9]{2}(\.[0-9]{1,3})?$")
DATE = {"type": "date"}


def _blank(choices) -> list:
    return [("", BLANK_CHOICE_LABEL), *choices]


def dress_filter_form(form, *, user) -> None:
    """Give the shared InspectionFilterSet's free-text `centre` and numeric `operation`
    filters the selects a person expects in the browser. The submitted values (a centre code,
    an operation id) are the same the API takes, so the FilterSet itself stays shared."""
    form.fields["centre"].widget = forms.Select(
        choices=_blank(Centre.objects.values_list("code", "name"))
    )
    operations = ControlOperation.objects.visible_to(user).values_list("pk", "title")
    form.fields["operation"].widget = forms.Select(
        choices=_blank((str(pk), title) for pk, title in operations)
    )


# --- planning -------------------------------------------------------------------------------


class CountyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


class OperationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title} ({obj.period_start:%Y-%m-%d} – {obj.period_end:%Y-%m-%d})"


class InspectionPlanForm(ServiceErrorsMixin, forms.Form):
    """Plan an inspection. The workplace is checked by the service (the model's validators);
    its errors come back as `workplace.<field>` and are put next to the matching field."""

    # The service's workplace field names -> this form's fields.
    WORKPLACE_FIELDS = {
        "name": "name",
        "street_address": "address",
        "address": "address",
        "city": "city",
        "municipality": "municipality",
        "county": "county",
        "sni": "sni",
        "workplace_type": "workplace_type",
    }

    name = forms.CharField(label=_("workplace"), max_length=200)
    address = forms.CharField(label=_("address"), max_length=200, required=False)
    city = forms.CharField(label=_("city"), max_length=100, required=False)
    municipality = forms.CharField(
        label=_("municipality code"),
        max_length=4,
        help_text=_("Four digits, e.g. 0180 for Stockholm."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    county = CountyChoiceField(
        label=_("county"), queryset=County.objects.order_by("code"), to_field_name="code"
    )
    sni = forms.CharField(
        label=_("SNI code"),
        max_length=6,
        help_text=_("The industry code, e.g. 41.200 (construction) or 56.100 (restaurants)."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    workplace_type = forms.ChoiceField(
        label=_("workplace type"), choices=WorkplaceType.choices, initial=WorkplaceType.PREMISES
    )
    planned_date = forms.DateField(
        label=_("planned date"),
        help_text=_("Dates in the past are allowed for controls recorded afterwards."),
        widget=forms.DateInput(attrs=DATE),
    )
    unannounced = forms.BooleanField(label=_("unannounced"), required=False, initial=True)
    employers = forms.CharField(
        label=_("employers"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
    )
    operation = OperationChoiceField(
        label=_("control operation"), queryset=ControlOperation.objects.none(), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operation"].queryset = ControlOperation.objects.visible_to(user)
        self.fields["employers"].help_text = _(
            "Registered employers, one organisation number per line. Add the role after a "
            "semicolon, e.g. 556036-0793;subcontractor. Roles: %(roles)s."
        ) % {"roles": ", ".join(EmployerRole.values)}

    def clean_employers(self) -> list[dict]:
        entries = []
        for line in self.cleaned_data["employers"].splitlines():
            orgnr, _sep, role = line.partition(";")
            if orgnr.strip():
                entries.append(
                    {"orgnr": orgnr.strip(), "role": role.strip() or EmployerRole.EMPLOYER}
                )
        return entries

    def workplace(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "address": data["address"],
            "city": data["city"],
            "municipality": data["municipality"].strip(),
            "county": data["county"].code,
            "sni": data["sni"].strip(),
            "workplace_type": data["workplace_type"],
        }

    def add_service_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            return super().add_service_errors(error)
        rest = {}
        for key, messages in error.message_dict.items():
            name = self.WORKPLACE_FIELDS.get(key.removeprefix("workplace."))
            if key.startswith("workplace.") and name:
                for message in messages:
                    self.add_error(name, message)
            else:
                rest[key] = messages
        if rest:
            super().add_service_errors(ValidationError(rest))


# --- the detail page ----------------------------------------------------------------------


class RespondForm(ServiceErrorsMixin, forms.Form):
    """Accept or decline an assignment: one form, two buttons (`answer`)."""

    answer = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))])
    reason = forms.CharField(
        label=_("reason, if you decline"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_respond_%s")
        super().__init__(*args, **kwargs)

    def clean_reason(self):
        return plain_text(self.cleaned_data["reason"])


class AssignForm(ServiceErrorsMixin, forms.Form):
    agency = forms.ModelChoiceField(
        label=_("agency"), queryset=Agency.objects.none(), to_field_name="code"
    )
    mode = forms.ChoiceField(
        label=_("participation"), choices=ParticipationMode.choices, initial="on_site"
    )

    def __init__(self, *args, inspection: Inspection, **kwargs):
        kwargs.setdefault("auto_id", "id_assign_%s")
        super().__init__(*args, **kwargs)
        assigned = inspection.assignments.values("agency_id")
        self.fields["agency"].queryset = Agency.objects.filter(
            active=True, group__isnull=False
        ).exclude(pk__in=assigned)


class PerformForm(ServiceErrorsMixin, forms.Form):
    performed_on = forms.DateField(label=_("performed on"), widget=forms.DateInput(attrs=DATE))
    persons_checked = forms.IntegerField(
        label=_("persons checked"),
        min_value=0,
        max_value=100000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"performed_on": timezone.localdate()})
        kwargs.setdefault("auto_id", "id_perform_%s")
        super().__init__(*args, **kwargs)


class ReasonForm(ServiceErrorsMixin, forms.Form):
    """A reason for cancelling, or for the visit not taking place. Several of these share a
    page, so each is given its own `auto_id`."""

    reason = forms.CharField(
        label=_("reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_reason(self):
        return plain_text(self.cleaned_data["reason"])


# --- the results page ---------------------------------------------------------------------


class FindingForm(ServiceErrorsMixin, forms.Form):
    """A finding of the person's agency, from that agency's own category list."""

    category = forms.ChoiceField(label=_("category"))
    severity = forms.ChoiceField(
        label=_("severity"),
        choices=Severity.choices,
        initial=Severity.MEDIUM,
        widget=forms.RadioSelect,
    )
    description = forms.CharField(
        label=_("description"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    legal_reference = forms.CharField(
        label=_("legal reference"),
        required=False,
        max_length=200,
        help_text=_("E.g. SFL 39 kap. 11 §"),
    )
    secret = forms.BooleanField(
        label=_("secret"),
        required=False,
        help_text=_("Only your own agency sees a secret finding until it is disclosed."),
    )

    def __init__(self, *args, agency_code: str, **kwargs):
        kwargs.setdefault("auto_id", "id_finding_%s")
        super().__init__(*args, **kwargs)
        labels = dict(FindingCategory.choices)
        self.fields["category"].choices = _blank(
            (code, labels[code]) for code in categories_for(agency_code)
        )

    def clean_description(self):
        return plain_text(self.cleaned_data["description"])


class DecisionTypeSelect(forms.Select):
    """Marks the types that carry an amount, so the stylesheet can hide the amount for the
    others (`:has()`); without that support the amount is simply always shown."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if str(value) in MONETARY_DECISIONS:
            option["attrs"]["data-monetary"] = True
        return option


class FindingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        label = f"#{obj.pk} {obj.get_category_display()}"
        return f"{label}: {obj.description[:40]}" if obj.description else label


class DecisionForm(ServiceErrorsMixin, forms.Form):
    """A decision on one of the agency's own findings. Whether an amount is needed is the
    service's rule (MONETARY_DECISIONS); the form only shapes the number."""

    finding = FindingChoiceField(label=_("finding"), queryset=Finding.objects.none())
    type = forms.ChoiceField(
        label=_("decision type"), choices=_blank(DecisionType.choices), widget=DecisionTypeSelect
    )
    amount_sek = forms.DecimalField(
        label=_("amount (SEK)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_("For fees, fines and recovery claims."),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "1"}),
    )

    def __init__(self, *args, findings, **kwargs):
        kwargs.setdefault("auto_id", "id_decision_%s")
        super().__init__(*args, **kwargs)
        self.fields["finding"].queryset = findings


class PersonCountForm(forms.Form):
    """One row of persons checked. A row left entirely empty is ignored (`is_blank`)."""

    right_to_work = forms.ChoiceField(
        label=_("right to work"), choices=_blank(RightToWork.choices), required=False
    )
    nationality = forms.CharField(
        label=_("nationality"),
        required=False,
        max_length=2,
        help_text=_("Two letters, e.g. SE"),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )
    count = forms.IntegerField(
        label=_("count"),
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def clean_nationality(self):
        return self.cleaned_data["nationality"].strip().upper()

    @property
    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not (data.get("right_to_work") or data.get("nationality") or data.get("count"))

    def clean(self):
        cleaned = super().clean()
        if not self.is_blank:
            if not cleaned.get("right_to_work") and "right_to_work" not in self.errors:
                self.add_error("right_to_work", _("Choose a right-to-work status."))
            if cleaned.get("count") is None and "count" not in self.errors:
                self.add_error("count", _("Enter a whole number of at least 1."))
        return cleaned


class BasePersonCountFormSet(forms.BaseFormSet):
    def rows(self) -> list[tuple[int, dict]]:
        """(form index, row) for every row that is not blank, in the service's shape."""
        return [
            (index, {k: form.cleaned_data[k] for k in ("right_to_work", "nationality", "count")})
            for index, form in enumerate(self.forms)
            if not form.is_blank
        ]

    def add_service_errors(self, error: ValidationError, indexes: list[int]) -> None:
        """The service names rows as "counts[i].field", i counting the rows it was given."""
        pattern = re.compile(r"^counts\[(\d+)\]\.(\w+)$")
        for key, messages in getattr(error, "message_dict", {None: error.messages}).items():
            match = pattern.match(key or "")
            if match and int(match[1]) < len(indexes):
                form = self.forms[indexes[int(match[1])]]
                field = match[2] if match[2] in form.fields else None
                form.add_error(field, messages)
            else:
                self._non_form_errors = self.error_class(
                    [*self.non_form_errors(), *messages], renderer=self.renderer
                )


PersonCountFormSet = forms.formset_factory(
    PersonCountForm, formset=BasePersonCountFormSet, extra=3, max_num=100, validate_max=True
)


class FollowUpForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("task"), max_length=200)
    due_date = forms.DateField(label=_("due date"), widget=forms.DateInput(attrs=DATE))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_followup_%s")
        super().__init__(*args, **kwargs)


# --- calendar and operations --------------------------------------------------------------


class CalendarForm(forms.Form):
    week = forms.RegexField(
        label=_("week"),
        regex=r"^[0-9]{4}-W[0-9]{2}$",
        required=False,
        widget=forms.TextInput(attrs={"type": "week"}),
    )
    centre = forms.ModelChoiceField(
        label=_("regional centre"),
        queryset=Centre.objects.all(),
        to_field_name="code",
        required=False,
    )


class OperationForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    scope = forms.ChoiceField(label=_("scope"), choices=Scope.choices, initial=Scope.REGIONAL)
    centre = forms.ModelChoiceField(
        label=_("regional centre"),
        queryset=Centre.objects.all(),
        to_field_name="code",
        required=False,
    )
    period_start = forms.DateField(label=_("period start"), widget=forms.DateInput(attrs=DATE))
    period_end = forms.DateField(label=_("period end"), widget=forms.DateInput(attrs=DATE))
    selection_basis = forms.ChoiceField(
        label=_("selection basis"), choices=_blank(SelectionBasis.choices)
    )
    focus_sni = forms.CharField(
        label=_("focus industries (SNI)"),
        required=False,
        max_length=500,
        help_text=_("SNI codes separated by commas, e.g. 41.200, 56.100"),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_operation_%s")
        super().__init__(*args, **kwargs)

    def clean_focus_sni(self) -> list[str]:
        codes = [code.strip() for code in self.cleaned_data["focus_sni"].split(",")]
        codes = [code for code in codes if code]
        wrong = [code for code in codes if not SNI_PATTERN.match(code)]
        if wrong:
            raise ValidationError(
                _("Not an SNI code: %(codes)s. Use codes such as 56.100.")
                % {"codes": ", ".join(wrong)}
            )
        return codes


class InspectionAttachmentForm(ServiceErrorsMixin, forms.Form):
    file = forms.FileField(
        label=_("file"),
        help_text=_("Allowed: %(types)s. At most 10 MB.")
        % {"types": ", ".join(sorted(ATTACHMENT_TYPES))},
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join(f".{ext}" for ext in sorted(ATTACHMENT_TYPES))}
        ),
    )


class InspectionImportForm(ServiceErrorsMixin, forms.Form):
    file = forms.FileField(
        label=_("spreadsheet (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    confirm = forms.BooleanField(
        label=_("Import now (leave unticked to check the file first)"), required=False
    )
