"""The tip triage queue's filters, shared by the HTML list and the API's list of tips."""

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cases.tips.models import Tip, TipOutcome
from network.filters import DefaultedFilterSet
from network.models import Centre, County


class CentreChoiceField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.city


class CountyChoiceField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name  # "Stockholms län", not "01 Stockholms län"


class CentreFilter(django_filters.ModelChoiceFilter):
    field_class = CentreChoiceField


class CountyFilter(django_filters.ModelChoiceFilter):
    field_class = CountyChoiceField


class TipFilterSet(DefaultedFilterSet):
    """By regional centre (the counties it covers), by county, by outcome; without an
    outcome, the new tips (the ones still waiting for triage)."""

    defaults = {"outcome": TipOutcome.NEW}

    centre = CentreFilter(
        queryset=Centre.objects.all(),
        to_field_name="code",
        method="filter_centre",
        label=_("regional centre"),
        empty_label=_("All"),
    )
    county = CountyFilter(
        field_name="county",
        queryset=County.objects.order_by("code"),
        to_field_name="code",
        label=_("county"),
        empty_label=_("All"),
    )
    outcome = django_filters.ChoiceFilter(
        choices=TipOutcome.choices, label=_("outcome"), empty_label=None
    )

    class Meta:
        model = Tip
        fields = ["centre", "county", "outcome"]

    # The hint tells the API schema what `centre` is (drf-spectacular cannot find a field
    # of that name on Tip): a centre, given by its code.
    def filter_centre(self, queryset: QuerySet[Tip], name: str, value: Centre) -> QuerySet[Tip]:
        return queryset.filter(county__in=value.counties.all())
