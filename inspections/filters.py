"""One FilterSet per inspection list, shared by the HTML pages and the API (where the API
lists the same rows)."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspections.choices import FollowUpStatus, InspectionStatus, OperationStatus
from inspections.models import ControlOperation, FollowUp, Inspection, InspectionEmployer
from network.filters import DefaultedFilterSet, StrictBooleanFilter
from network.identifiers import orgnr_digits
from network.models import County
from network.querysets import ScopedQuerySet


class InspectionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("search"))
    status = django_filters.ChoiceFilter(choices=InspectionStatus.choices, label=_("status"))
    county = django_filters.ModelChoiceFilter(
        field_name="workplace__county",
        queryset=County.objects.all(),
        to_field_name="code",
        label=_("county"),
    )
    centre = django_filters.CharFilter(method="filter_centre", label=_("regional centre"))
    employer = django_filters.CharFilter(method="filter_employer", label=_("employer (org. no.)"))
    planned_from = django_filters.DateFilter(
        field_name="planned_date",
        lookup_expr="gte",
        label=_("planned from"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    planned_to = django_filters.DateFilter(
        field_name="planned_date",
        lookup_expr="lte",
        label=_("planned to"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    operation = django_filters.NumberFilter(field_name="operation_id", label=_("operation"))

    class Meta:
        model = Inspection
        fields = ["q", "status", "county", "centre", "employer", "planned_from", "planned_to"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        named = InspectionEmployer.objects.filter(
            inspection=OuterRef("pk"), employer__name__icontains=value
        )
        return queryset.filter(
            Q(reference__iexact=value) | Q(workplace__name__icontains=value) | Exists(named)
        )

    def filter_centre(self, queryset, name, value):
        counties = County.objects.filter(centres__code=value).values("pk")
        return queryset.filter(workplace__county__in=counties)

    def filter_employer(self, queryset, name, value):
        digits = orgnr_digits(value)
        if not digits:
            return queryset.none()
        return queryset.filter(
            Exists(
                InspectionEmployer.objects.filter(inspection=OuterRef("pk"), employer__orgnr=digits)
            )
        )


class OperationFilterSet(DefaultedFilterSet):
    """The operations board's filters: words in the title or the exact reference, and the
    status; without one, the operations still running (not closed or cancelled)."""

    OPEN, ALL = "open", "all"
    defaults = {"status": OPEN}

    q = django_filters.CharFilter(method="filter_q", label=_("search"), max_length=100)
    status = django_filters.ChoiceFilter(
        method="filter_status",
        label=_("status"),
        choices=[(OPEN, _("Running")), (ALL, _("All")), *OperationStatus.choices],
        empty_label=None,
    )

    class Meta:
        model = ControlOperation
        fields = ["q", "status"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(title__icontains=value) | Q(reference__iexact=value))

    def filter_status(self, queryset, name, value):
        if value == self.OPEN:
            return queryset.exclude(status__in=[OperationStatus.CLOSED, OperationStatus.CANCELLED])
        if value == self.ALL:
            return queryset
        return queryset.filter(status=value)


class FollowUpFilterSet(django_filters.FilterSet):
    """The follow-up list's filters: its tabs (`show`: the overdue ones, the person's own
    agency's) and, next to them, words in the task or the workplace, and open or done.

    `overdue` and `mine` are the API's spelling of the two tabs from before the list had
    this FilterSet (`?overdue=true`); they stay so that clients using them keep getting the
    same rows. The page draws its tabs with `show` and never these two."""

    OVERDUE, MINE = "overdue", "mine"

    show = django_filters.ChoiceFilter(
        method="filter_show",
        choices=[(OVERDUE, _("Overdue")), (MINE, _("My agency's"))],
        label=_("which follow-ups"),
        widget=forms.HiddenInput,
    )
    q = django_filters.CharFilter(method="filter_q", label=_("search"), max_length=100)
    status = django_filters.ChoiceFilter(choices=FollowUpStatus.choices, label=_("status"))
    overdue = StrictBooleanFilter(
        method="filter_overdue", label=_("only the overdue ones (open, past the due date)")
    )
    mine = StrictBooleanFilter(method="filter_mine", label=_("only my agency's"))

    class Meta:
        model = FollowUp
        fields = ["show", "q", "status", "overdue", "mine"]

    def filter_show(self, queryset, name, value):
        if value == self.OVERDUE:
            return self.filter_overdue(queryset, name, True)
        return self.filter_mine(queryset, name, True)

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(status=FollowUpStatus.OPEN, due_date__lt=timezone.localdate())

    def filter_mine(self, queryset, name, value):
        if not value:
            return queryset
        agency_id = ScopedQuerySet.agency_id_of(self.request.user)
        if agency_id is None:
            return queryset.none()
        return queryset.filter(agency_id=agency_id)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(title__icontains=value) | Q(inspection__workplace__name__icontains=value)
        )
