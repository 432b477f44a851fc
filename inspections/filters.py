"""One FilterSet per inspection list, shared by the HTML pages and the API."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from inspections.choices import InspectionStatus
from inspections.models import Inspection, InspectionEmployer
from network.identifiers import orgnr_digits
from network.models import County


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
