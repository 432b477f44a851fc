"""FilterSets shared by the HTML lists and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from network.models import AuditEvent


class AuditEventFilterSet(django_filters.FilterSet):
    actor = django_filters.CharFilter(field_name="actor_username", label=_("user"))
    action = django_filters.CharFilter(label=_("action"))
    object_type = django_filters.CharFilter(label=_("object type"))
    object_id = django_filters.CharFilter(label=_("object id"))
    since = django_filters.IsoDateTimeFilter(
        field_name="at", lookup_expr="gte", label=_("from (inclusive)")
    )
    until = django_filters.IsoDateTimeFilter(
        field_name="at", lookup_expr="lt", label=_("until (exclusive)")
    )

    class Meta:
        model = AuditEvent
        fields = ["actor", "action", "object_type", "object_id", "since", "until"]
