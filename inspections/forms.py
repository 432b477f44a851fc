"""Forms of the joint-control pages. They check the shape of the input; the services decide.

A service's `ValidationError` is shown next to the field it names (`add_service_errors`), so a
rule lives in one place (inspections/services/) and the browser and the API answer alike.
"""

import re
from typing import TYPE_CHECKING, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models.fields import BLANK_CHOICE_LABEL
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from cases.employers.models import Employer
from inspections import risk
from inspections.choices import (
    MONETARY_DECISIONS,
    DecisionStatus,
    DecisionType,
    EmployerRole,
    FindingCategory,
    ParticipationMode,
    ReportedLaw,
    RightToWork,
    Scope,
    SelectionBasis,
    Severity,
    WorkplaceType,
    categories_for,
)
from inspections.models import ControlOperation, Finding, Inspection
from inspections.services import selection
from inspections.services.decisions import DECISION_STATES
from inspections.services.operations import OPEN_OPERATION_STATES
from network.forms import (
    ServiceErrorsMixin,
    SniCodeField,
    SniCodesField,
    choice_field,
    model_choice_field,
    plain_text,
)
from network.identifiers import parse_orgnr
from network.models import Agency, Centre, County
from network.names import country_choices
from network.policies import scope
from network.reference import municipalities_by_county, municipality_name

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

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
    county = form.fields["county"]
    county.queryset = county.queryset.order_by("name")
    county.label_from_instance = lambda obj: obj.name  # "Stockholms län", not "01 Stockholms län"
    operations = ControlOperation.objects.visible_to(user).values_list("pk", "title")
    form.fields["operation"].widget = forms.Select(
        choices=_blank((str(pk), title) for pk, title in operations)
    )


# --- planning -------------------------------------------------------------------------------


class CountyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class OperationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return (
            f"{obj.reference} {obj.title} ({obj.period_start:%Y-%m-%d} – {obj.period_end:%Y-%m-%d})"
        )


# "Bygg & Montage AB (556036-0793)": what the employer search puts in the field.
PICKED_EMPLOYER = re.compile(r"\(([0-9]{6}-?[0-9]{4}|[0-9]{8}-?[0-9]{4})\)\s*$")
EMPLOYER_ROWS = 3
# Far enough from today that a typing slip is more likely than a real plan.
PAST_WARNING_DAYS = 30
FUTURE_WARNING_DAYS = 365


def resolve_employer(text: str):
    """An employer registered in akrim from what a person typed or picked: an organisation
    number, "Name (orgnr)" from the search list, or a name that matches exactly one employer.
    Raises ValidationError with a message that says what to do."""
    text = " ".join(text.split())
    picked = PICKED_EMPLOYER.search(text)
    candidate = picked[1] if picked else text
    try:
        digits = parse_orgnr(candidate).digits
    except ValidationError:
        digits = None
    if digits:
        employer = Employer.objects.filter(orgnr=digits).first()
        if employer is None:
            raise ValidationError(
                _("No employer with this organisation number is registered. Register it below.")
            )
        return employer
    if any(ch.isdigit() for ch in text) and not any(ch.isalpha() for ch in text):
        parse_orgnr(text)  # raises the number's own message
    matches = list(Employer.objects.filter(name__iexact=text)[:2])
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise ValidationError(
            _("Several employers are called this. Choose one from the list or type its number.")
        )
    raise ValidationError(
        _(
            "No employer called this is registered. Type the organisation number, or register it below."
        )
    )


def municipality_choices() -> list:
    """Municipalities grouped by county (optgroups), SCB's names, for a select that works
    without JavaScript; static/js/planning.js narrows it to the chosen county."""
    return _blank(municipalities_by_county())


class InspectionPlanForm(ServiceErrorsMixin, forms.Form):
    """Plan an inspection. The workplace is checked by the service (the model's validators);
    its errors come back as `workplace.<field>` and are put next to the matching field.

    Employers are typed or picked by name or organisation number (the search list is an
    enhancement over plain inputs), each with a role from a Swedish list; one not yet in
    akrim can be registered in the same step. Dates far from today, or outside the chosen
    operation, are questioned once: the person confirms them with `confirm_date`."""

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
    service_fields = {"orgnr": "new_orgnr"}

    name = forms.CharField(label=_("workplace"), max_length=200)
    address = forms.CharField(label=_("address"), max_length=200, required=False)
    city = forms.CharField(label=_("city"), max_length=100, required=False)
    county = CountyChoiceField(
        label=_("county"), queryset=County.objects.order_by("name"), to_field_name="code"
    )
    municipality = forms.ChoiceField(label=_("municipality"), choices=())
    sni = SniCodeField(
        label=_("industry (SNI)"),
        help_text=_("Type part of the industry's name or its code and choose from the list."),
    )
    workplace_type = forms.ChoiceField(
        label=_("workplace type"), choices=WorkplaceType.choices, initial=WorkplaceType.PREMISES
    )
    planned_date = forms.DateField(
        label=_("planned date"),
        help_text=_("Dates in the past are allowed for controls recorded afterwards."),
        widget=forms.DateInput(attrs=DATE),
    )
    confirm_date = forms.BooleanField(label=_("The date is right"), required=False)
    unannounced = forms.BooleanField(label=_("unannounced"), required=False, initial=True)
    operation = OperationChoiceField(
        label=_("control operation"), queryset=ControlOperation.objects.none(), required=False
    )
    new_orgnr = forms.CharField(
        label=_("organisation number"),
        required=False,
        max_length=20,
        help_text=_("10 digits, e.g. 556036-0793, or a sole trader's personal identity number."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    new_name = forms.CharField(label=_("name"), required=False, max_length=200)
    new_sni = SniCodeField(
        label=_("the employer's industry (SNI)"),
        required=False,
        help_text=_("As in the company register, if known."),
    )
    new_role = forms.ChoiceField(
        label=_("role at the workplace"),
        choices=EmployerRole.choices,
        initial=EmployerRole.EMPLOYER,
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.date_warnings: list[StrOrPromise] = []
        choice_field(self, "municipality").choices = municipality_choices()
        # Only open operations the user may plan into (inspections/policies.py), not every
        # one they can see.
        model_choice_field(self, "operation").queryset = scope(
            user, ControlOperation, "add_inspection"
        ).filter(status__in=OPEN_OPERATION_STATES)
        for n in range(1, EMPLOYER_ROWS + 1):
            self.fields[f"employer_{n}"] = forms.CharField(
                label=_("employer %(n)s") % {"n": n},
                required=False,
                max_length=250,
                help_text=_("Name or organisation number.") if n == 1 else "",
                widget=forms.TextInput(
                    attrs={"autocomplete": "off", "class": "employer-search", "spellcheck": "false"}
                ),
            )
            self.fields[f"role_{n}"] = forms.ChoiceField(
                label=_("role of employer %(n)s") % {"n": n},
                choices=EmployerRole.choices,
                initial=EmployerRole.EMPLOYER,
                required=False,  # an empty row needs none; a filled one defaults to employer
            )

    def employer_rows(self):
        """(employer field, role field) per row, for the template."""
        return [(self[f"employer_{n}"], self[f"role_{n}"]) for n in range(1, EMPLOYER_ROWS + 1)]

    def clean_new_orgnr(self) -> str:
        value = self.cleaned_data["new_orgnr"].strip()
        if value:
            try:
                return parse_orgnr(value).digits
            except ValidationError as error:
                raise ValidationError(error.messages) from None
        return ""

    def clean(self):
        super().clean()
        data = self.cleaned_data
        county, municipality = data.get("county"), data.get("municipality")
        if county and municipality and municipality[:2] != county.code:
            self.add_error(
                "municipality",
                _("%(municipality)s is not in %(county)s. Choose a municipality in the county.")
                % {"municipality": municipality_name(municipality), "county": county.name},
            )
        employers, seen = [], set()
        for n in range(1, EMPLOYER_ROWS + 1):
            text = data.get(f"employer_{n}", "").strip()
            if not text:
                continue
            try:
                employer = resolve_employer(text)
            except ValidationError as error:
                self.add_error(f"employer_{n}", error.messages)
                continue
            if employer.orgnr in seen:
                self.add_error(f"employer_{n}", _("This employer is already listed."))
                continue
            seen.add(employer.orgnr)
            role = data.get(f"role_{n}") or EmployerRole.EMPLOYER
            employers.append({"orgnr": employer.orgnr, "role": role})
        new_orgnr, new_name = data.get("new_orgnr"), data.get("new_name", "").strip()
        if new_orgnr and not new_name:
            existing = Employer.objects.filter(orgnr=new_orgnr).first()
            if existing is None:
                self.add_error("new_name", _("Enter the employer's name."))
        elif new_name and not new_orgnr and "new_orgnr" not in self.errors:
            self.add_error("new_orgnr", _("Enter the organisation number."))
        if new_orgnr in seen:
            self.add_error("new_orgnr", _("This employer is already listed."))
        data["employers"] = employers
        self._check_dates(data)
        return data

    def _check_dates(self, data) -> None:
        """Question a date that is probably a slip, once; the person confirms or corrects."""
        planned, operation = data.get("planned_date"), data.get("operation")
        if planned is None:
            return
        today = timezone.localdate()
        if (today - planned).days > PAST_WARNING_DAYS:
            self.date_warnings.append(
                _(
                    "The planned date is %(days)s days ago. Controls recorded afterwards may have a past date; otherwise check the year."
                )
                % {"days": (today - planned).days}
            )
        if (planned - today).days > FUTURE_WARNING_DAYS:
            self.date_warnings.append(_("The planned date is more than a year ahead."))
        if operation and not operation.period_start <= planned <= operation.period_end:
            self.date_warnings.append(
                _("The date is outside the operation's period, %(start)s – %(end)s.")
                % {"start": operation.period_start, "end": operation.period_end}
            )
        if self.date_warnings and not data.get("confirm_date"):
            self.add_error("planned_date", self.date_warnings)

    def new_employer(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("new_orgnr"):
            return None
        return {
            "orgnr": data["new_orgnr"],
            "name": data.get("new_name", ""),
            "sni_codes": [data["new_sni"]] if data.get("new_sni") else [],
            "role": data.get("new_role") or EmployerRole.EMPLOYER,
        }

    def workplace(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "address": data["address"],
            "city": data["city"],
            "municipality": data["municipality"],
            "county": data["county"].code,
            "sni": data["sni"].strip(),
            "workplace_type": data["workplace_type"],
        }

    def add_service_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            super().add_service_errors(error)
            return
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
        model_choice_field(self, "agency").queryset = Agency.objects.filter(
            active=True, group__isnull=False
        ).exclude(pk__in=assigned)


class PerformForm(ServiceErrorsMixin, forms.Form):
    """Record the visit. A date before the planned date is questioned once (a slip is more
    likely than a visit ahead of plan); `confirm_date` keeps it."""

    performed_on = forms.DateField(label=_("performed on"), widget=forms.DateInput(attrs=DATE))
    persons_checked = forms.IntegerField(
        label=_("persons checked"),
        min_value=0,
        max_value=100000,
        help_text=_("Everyone checked at the workplace, by all agencies together."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    confirm_date = forms.BooleanField(label=_("The date is right"), required=False)

    def __init__(self, *args, planned_date=None, **kwargs):
        kwargs.setdefault("initial", {"performed_on": timezone.localdate()})
        kwargs.setdefault("auto_id", "id_perform_%s")
        super().__init__(*args, **kwargs)
        self.planned_date = planned_date
        self.date_warning = ""

    def clean(self):
        super().clean()
        data = self.cleaned_data
        performed = data.get("performed_on")
        if self.planned_date and performed and performed < self.planned_date:
            self.date_warning = _(
                "The visit date is before the planned date, %(planned)s. Check the date, or "
                "tick “The date is right”."
            ) % {"planned": self.planned_date.isoformat()}
            if not data.get("confirm_date"):
                self.add_error("performed_on", self.date_warning)
        data.pop("confirm_date", None)
        return data


class ReasonForm(ServiceErrorsMixin, forms.Form):
    """A reason for cancelling, or for the visit not taking place. Several of these share a
    page, so each is given its own `auto_id`."""

    reason = forms.CharField(
        label=_("reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_reason(self):
        return plain_text(self.cleaned_data["reason"])


class DecisionStatusForm(ServiceErrorsMixin, forms.Form):
    """A decision's next status, from the one state machine (inspections.services.
    decisions.DECISION_STATES), with the reason the audit trail keeps. Only the steps the decision may
    take are offered; `version` is the one the page showed, so a change made meanwhile by a
    colleague is not overwritten (docs/reports.md, "Decisions in force")."""

    status = forms.ChoiceField(label=_("new status"))
    reason = forms.CharField(
        label=_("reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, decision, **kwargs):
        kwargs.setdefault("auto_id", f"id_decision_{decision.pk}_%s")
        kwargs.setdefault("initial", {"version": decision.version})
        super().__init__(*args, **kwargs)
        self.decision = decision
        choice_field(self, "status").choices = _blank(
            (state, DecisionStatus(state).label) for state in next_decision_states(decision)
        )

    def clean_reason(self):
        return plain_text(self.cleaned_data["reason"])


def next_decision_states(decision) -> list[str]:
    """The statuses a decision may move to, in the order of DecisionStatus (a decision
    without an amount is never paid)."""
    allowed = DECISION_STATES.next_states(decision.status)
    if decision.type not in MONETARY_DECISIONS:
        allowed.discard(DecisionStatus.PAID)
    return [state for state in DecisionStatus.values if state in allowed]


# --- the results page ---------------------------------------------------------------------


class EmployerMetField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.orgnr[:6]}-{obj.orgnr[6:]})"


class FindingForm(ServiceErrorsMixin, forms.Form):
    """A finding of the person's agency, from that agency's own category list, about one
    of the employers met (or the workplace as such)."""

    category = forms.ChoiceField(label=_("category"))
    employer = EmployerMetField(
        label=_("employer concerned"),
        queryset=Employer.objects.none(),
        required=False,
        empty_label=_("The workplace as such (no employer)"),
        help_text=_("Which of the employers met the finding concerns."),
    )
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

    def __init__(self, *args, agency_code: str, employers=None, **kwargs):
        kwargs.setdefault("auto_id", "id_finding_%s")
        super().__init__(*args, **kwargs)
        if employers is None:
            del self.fields["employer"]
        else:
            met = employers.order_by("name")
            model_choice_field(self, "employer").queryset = met
            if len(met) == 1:
                self.fields["employer"].initial = met[0].pk
        labels = dict(FindingCategory.choices)
        choice_field(self, "category").choices = _blank(
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
    """A finding in words: its category, severity and the start of its description."""

    def label_from_instance(self, obj):
        label = f"{obj.get_category_display()} ({obj.get_severity_display().lower()})"
        if obj.description:
            text = " ".join(obj.description.split())
            label = f"{label}: {text[:50]}{'…' if len(text) > 50 else ''}"
        return label


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
    law = forms.ChoiceField(
        label=_("law"),
        required=False,
        choices=_blank(ReportedLaw.choices),
        help_text=_("For police reports and reports for prosecution: the law concerned."),
    )

    def __init__(self, *args, findings, **kwargs):
        kwargs.setdefault("auto_id", "id_decision_%s")
        super().__init__(*args, **kwargs)
        model_choice_field(self, "finding").queryset = findings


class PersonCountForm(forms.Form):
    """One row of persons checked. A row left entirely empty is ignored (`is_blank`)."""

    data: QueryDict  # bound from a request (the formset's POST)

    right_to_work = forms.ChoiceField(
        label=_("right to work"), choices=_blank(RightToWork.choices), required=False
    )
    nationality = forms.ChoiceField(label=_("citizenship"), required=False, choices=())
    count = forms.IntegerField(
        label=_("count"),
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Stored as ISO 3166-1 alpha-2, shown by name (network.names); lower case from old
        # drafts still matches.
        choice_field(self, "nationality").choices = _blank(country_choices())
        if self.is_bound:
            key = self.add_prefix("nationality")
            value = self.data.get(key, "")
            if value and value != value.upper():
                self.data = self.data.copy()
                self.data[key] = value.upper()

    @property
    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not (data.get("right_to_work") or data.get("nationality") or data.get("count"))

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
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
                    [*self.non_form_errors(), *messages],
                    renderer=self.renderer,  # type: ignore[attr-defined]  # not in django-stubs
                )


PersonCountFormSet = cast(
    type[BasePersonCountFormSet],
    forms.formset_factory(
        PersonCountForm, formset=BasePersonCountFormSet, extra=3, max_num=100, validate_max=True
    ),
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
    focus_sni = SniCodesField(label=_("focus industries (SNI)"), required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_operation_%s")
        super().__init__(*args, **kwargs)


class InspectionImportForm(ServiceErrorsMixin, forms.Form):
    file = forms.FileField(
        label=_("spreadsheet (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    confirm = forms.BooleanField(
        label=_("Import now (leave unticked to check the file first)"), required=False
    )


class NotReportingForm(ServiceErrorsMixin, forms.Form):
    """The coordinator marks an accepted agency whose results are awaited as not reporting."""

    agency = forms.ModelChoiceField(
        label=_("agency"), queryset=Agency.objects.none(), to_field_name="code"
    )
    reason = forms.CharField(
        label=_("why it does not report"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, agencies, **kwargs):
        kwargs.setdefault("auto_id", "id_not_reporting_%s")
        super().__init__(*args, **kwargs)
        model_choice_field(self, "agency").queryset = Agency.objects.filter(
            pk__in=[a.pk for a in agencies]
        )
        # An instance attribute, as Django's docs show for a per-form label.
        model_choice_field(self, "agency").label_from_instance = lambda agency: agency.name  # type: ignore[method-assign,assignment]

    def clean_reason(self):
        return plain_text(self.cleaned_data["reason"])


# --- risk-based selection (inspections/risk_views.py) ----------------------------------


class CandidateQueryForm(ServiceErrorsMixin, forms.Form):
    """What the coordinator asks for. The rules (known centre, industries, period syntax,
    limit) are inspections.risk.build_request's, shown here next to the fields."""

    centre = forms.ChoiceField(label=gettext_lazy("regional centre"))
    industries = forms.MultipleChoiceField(
        label=gettext_lazy("industries"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None chosen: every industry."),
    )
    period = forms.CharField(
        label=gettext_lazy("period"),
        required=False,
        max_length=30,
        help_text=gettext_lazy(
            "2026-12, 2026 or 2026-12-01/2026-12-31. Empty: the coming 30 days."
        ),
    )
    limit = forms.CharField(
        label=gettext_lazy("number of candidates"),
        required=False,
        max_length=5,
        widget=forms.NumberInput(attrs={"min": 1, "max": risk.MAX_LIMIT}),
    )

    def __init__(self, *args, centres, industries, **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "centre").choices = [(c.code, c.name) for c in centres]
        choice_field(self, "industries").choices = [
            (row.key, f"{row.name} ({row.weight})") for row in industries
        ]


class PlanForm(ServiceErrorsMixin, forms.Form):
    """Plan the ticked candidates into an operation the person's agency coordinates."""

    service_fields = {"workplaces": "picks", "selection_basis": "picks"}

    operation = forms.ModelChoiceField(
        label=gettext_lazy("control operation"), queryset=ControlOperation.objects.none()
    )
    planned_date = forms.DateField(
        label=gettext_lazy("planned date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    picks = forms.TypedMultipleChoiceField(
        label=gettext_lazy("candidates"), coerce=int, choices=(), required=True
    )

    def __init__(self, *args, operations, workplace_ids, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "operation").queryset = operations
        choice_field(self, "picks").choices = [(i, i) for i in workplace_ids]
        self.fields["picks"].error_messages["required"] = _("Pick at least one candidate.")


class IndustryRiskForm(ServiceErrorsMixin, forms.Form):
    """One row of the risk table. SNI codes are chosen from SCB's titles (SniCodesField)."""

    key = forms.SlugField(label=gettext_lazy("key"), max_length=40)
    name_sv = forms.CharField(label=gettext_lazy("name (Swedish)"), max_length=200)
    name_en = forms.CharField(label=gettext_lazy("name (English)"), max_length=200, required=False)
    sni_prefixes = SniCodesField(
        label=gettext_lazy("industries (SNI)"),
        help_text=gettext_lazy(
            "A workplace matches an industry and everything under it. Hold Ctrl (Cmd on a Mac) to choose several."
        ),
    )
    weight = forms.IntegerField(
        label=gettext_lazy("weight"),
        min_value=0,
        max_value=10,
        help_text=gettext_lazy("0 (no risk) to 10."),
    )
    source = forms.CharField(label=gettext_lazy("source"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, row=None, **kwargs):
        if row is not None:
            kwargs.setdefault(
                "initial",
                {
                    "key": row.key,
                    "name_sv": row.name_sv,
                    "name_en": row.name_en,
                    "sni_prefixes": list(row.sni_prefixes),
                    "weight": row.weight,
                    "source": row.source,
                    "version": row.version,
                },
            )
            kwargs.setdefault("prefix", f"row-{row.pk}")
        super().__init__(*args, **kwargs)
        self.row = row
        if row is not None:
            del self.fields["key"]

    def changes(self) -> dict:
        data = {f: self.cleaned_data[f] for f in selection.INDUSTRY_RISK_FIELDS}
        if self.row is None:
            data["key"] = self.cleaned_data["key"]
        return data
