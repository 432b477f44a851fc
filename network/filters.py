"""FilterSets shared by the HTML lists and the API."""

from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from network.models import AuditEvent

_TRUE = frozenset({"true", "1", "on"})
_FALSE = frozenset({"false", "0", "off"})
_NOT_GIVEN = frozenset({"", "unknown"})


def _given_true(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() in _TRUE)


class StrictNullBooleanField(forms.NullBooleanField):
    """A yes/no filter that refuses what is neither: `?is_child=maybe` is a 400 naming the
    parameter, not the whole list as if the filter had not been asked for (Django's
    NullBooleanField reads anything it does not know as "not given"). Accepted: true/false,
    1/0 and on/off (what a checkbox sends), in any case; empty or "unknown" (the select's
    blank choice) is not given."""

    default_error_messages = {"invalid": _("Enter true or false.")}

    def to_python(self, value: Any) -> bool | None:  # type: ignore[override]  # stubs: bool
        if isinstance(value, str):
            word = value.strip().lower()
            if word in _TRUE:
                return True
            if word in _FALSE:
                return False
            if word in _NOT_GIVEN:
                return None
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class StrictNullBooleanSelect(forms.NullBooleanSelect):
    """Django's yes/no select, handing the field the value as sent so that it can refuse
    one it does not know (the stock widget turns it into "not given" first)."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name)


class StrictCheckboxInput(forms.CheckboxInput):
    """A checkbox filter: absent is not given, and the value as sent goes to the field (the
    stock widget reads any unknown word as checked)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, check_test=_given_true)

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name)


class StrictBooleanFilter(django_filters.BooleanFilter):  # type: ignore[misc]  # untyped library
    """django-filter's BooleanFilter with `StrictNullBooleanField`: every yes/no filter of
    the lists and the API (a bad value answers 400 naming it)."""

    field_class = StrictNullBooleanField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", StrictNullBooleanSelect)
        super().__init__(*args, **kwargs)


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
