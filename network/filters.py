"""FilterSets shared by the HTML lists and the API."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from network.models import AuditEvent


class AuditEventFilterSet(django_filters.FilterSet):  # type: ignore[misc]  # untyped library
    actor = django_filters.CharFilter(field_name="actor_username", label=_("user"))
    action = django_filters.CharFilter(label=_("action"))
    object_type = django_filters.CharFilter(label=_("object type"))
    object_id = django_filters.CharFilter(label=_("object id"))
    since = django_filters.DateFilter(
        field_name="at__date",
        lookup_expr="gte",
        label=_("from date"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        field_name="at__date",
        lookup_expr="lte",
        label=_("to date"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditEvent
        fields = ["actor", "action", "object_type", "object_id", "since", "until"]
