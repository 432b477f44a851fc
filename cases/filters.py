"""One FilterSet per list, shared by the HTML pages and the API."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.identifiers import parse_orgnr
from cases.models import Case, CaseStatus, Employer, ReceivingBody, ReferralStatus, VictimReferral
from network.models import Agency


def _orgnr_digits(value: str) -> str | None:
    try:
        return parse_orgnr(value).digits
    except ValidationError:
        return None


class EmployerFilterSet(django_filters.FilterSet):
    orgnr = django_filters.CharFilter(method="filter_orgnr", label=_("organisation number"))
    q = django_filters.CharFilter(method="filter_q", label=_("search"))

    class Meta:
        model = Employer
        fields = ["orgnr", "q"]

    def filter_orgnr(self, queryset, name, value):
        digits = _orgnr_digits(value)
        return queryset.filter(orgnr=digits) if digits else queryset.none()

    def filter_q(self, queryset, name, value):
        digits = "".join(ch for ch in value if ch.isdigit())
        condition = Q(name__icontains=value)
        if len(digits) >= 6:
            condition |= Q(orgnr__startswith=digits)
        return queryset.filter(condition)


class CaseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("search"))
    status = django_filters.ChoiceFilter(choices=CaseStatus.choices, label=_("status"))
    employer = django_filters.CharFilter(method="filter_employer", label=_("employer (org. no.)"))
    owner_agency = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.filter(active=True),
        to_field_name="code",
        label=_("owner agency"),
    )
    shared_with_me = django_filters.BooleanFilter(
        method="filter_shared_with_me",
        label=_("shared with my agency"),
        widget=forms.CheckboxInput,
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
        digits = _orgnr_digits(value)
        return queryset.filter(employer__orgnr=digits) if digits else queryset.none()

    def filter_shared_with_me(self, queryset, name, value):
        agency = getattr(self.request.user, "agency", None) if self.request else None
        if not value or agency is None:
            return queryset
        return queryset.shared_with(agency)


class ReferralFilterSet(django_filters.FilterSet):
    """Filters on a referral list. Deliberately no search by identifier or name: it would tell
    anyone who can list referrals whether a given person has been referred."""

    reference = django_filters.CharFilter(lookup_expr="iexact", label=_("reference"))
    status = django_filters.ChoiceFilter(choices=ReferralStatus.choices, label=_("status"))
    receiving_body = django_filters.ChoiceFilter(
        choices=ReceivingBody.choices, label=_("receiving body")
    )
    is_child = django_filters.BooleanFilter(label=_("child"))

    class Meta:
        model = VictimReferral
        fields = ["reference", "status", "receiving_body", "is_child"]
