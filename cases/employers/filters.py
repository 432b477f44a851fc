"""One FilterSet per list, shared by the HTML pages and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.employers.models import Employer
from network.identifiers import orgnr_digits


class EmployerFilterSet(django_filters.FilterSet):
    orgnr = django_filters.CharFilter(method="filter_orgnr", label=_("organisation number"))
    q = django_filters.CharFilter(method="filter_q", label=_("search"))

    class Meta:
        model = Employer
        fields = ["orgnr", "q"]

    def filter_orgnr(self, queryset, name, value):
        digits = orgnr_digits(value)
        return queryset.filter(orgnr=digits) if digits else queryset.none()

    def filter_q(self, queryset, name, value):
        digits = "".join(ch for ch in value if ch.isdigit())
        condition = Q(name__icontains=value)
        if len(digits) >= 6:
            condition |= Q(orgnr__startswith=digits)
        return queryset.filter(condition)
