"""One FilterSet per list, shared by the HTML pages and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.coordination.models import Case, CaseStatus
from network.filters import StrictBooleanFilter, StrictCheckboxInput
from network.identifiers import orgnr_digits
from network.models import Agency


class CaseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("search"))
    status = django_filters.ChoiceFilter(choices=CaseStatus.choices, label=_("status"))
    employer = django_filters.CharFilter(method="filter_employer", label=_("employer (org. no.)"))
    owner_agency = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.filter(active=True),
        to_field_name="code",
        label=_("owner agency"),
    )
    shared_with_me = StrictBooleanFilter(
        method="filter_shared_with_me",
        label=_("shared with my agency"),
        widget=StrictCheckboxInput,
    )

    class Meta:
        model = Case
        fields = ["q", "status", "employer", "owner_agency", "shared_with_me"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(reference__iexact=value)
            | Q(title__icontains=value)
            | Q(summary__icontains=value)
            | Q(employer__name__icontains=value)
        )

    def filter_employer(self, queryset, name, value):
        digits = orgnr_digits(value)
        return queryset.filter(employer__orgnr=digits) if digits else queryset.none()

    def filter_shared_with_me(self, queryset, name, value):
        agency = getattr(self.request.user, "agency", None) if self.request else None
        if not value or agency is None:
            return queryset
        return queryset.shared_with(agency)
