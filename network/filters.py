"""FilterSets shared by the HTML lists and the API."""

from typing import Any

import django_filters
from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from network.models import AuditEvent


class DefaultedFilterSet(django_filters.FilterSet):  # type: ignore[misc]  # untyped library
    """A FilterSet whose filters have a value on the HTML list when the query string leaves
    them out or leaves them empty (`defaults`): the operations board shows the running
    operations, the tip queue the new tips. The form shows the default as chosen.

    The defaults apply only when the FilterSet is built with `with_defaults=True`, which
    `network.tables.TableListView` does for its page and the API's filter backend never
    does. The same FilterSet serves the API list (docs/architecture.md, "HTTP API"), and
    there a call without parameters must keep returning every row in the caller's scope, as
    it did before the list had filters: a client that pages through all operations or tips
    would otherwise silently get only the running or new ones. It also keeps the API's
    promise that a FilterSet given nothing leaves its list unchanged, so the filter backend
    may skip building it (network/api/filtering.py)."""

    defaults: dict[str, str] = {}

    def __init__(
        self, data: QueryDict | None = None, *args: Any, with_defaults: bool = False, **kwargs: Any
    ) -> None:
        if data is not None and with_defaults:
            data = data.copy()
            for name, value in self.defaults.items():
                if not data.get(name):
                    data[name] = value
        super().__init__(data, *args, **kwargs)


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
