"""Template filters that put names where codes are stored (network/names.py).

{% load names %}
{{ workplace.municipality|municipality_name }}   1480 -> Göteborg
{{ workplace.county|county_name }}               14 or a County -> Västra Götalands län
{{ workplace.sni|sni_name }}                     41.200 -> Byggande av bostadshus ...
{{ workplace.sni|sni_section_name }}             41.200 or F -> Byggverksamhet
{{ row.nationality|country_name }}               UA -> Ukraina
{{ share.legal_basis|label:"LegalBasis" }}       a registered choice code -> its label
{{ candidate.score|score }}                      172.5 -> 172,5 poäng
{{ state|field_label:"reports.AnnualReport.state" }}  a model field's choice -> its label
"""

from typing import Any

from django import template
from django.apps import apps
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

from network import names

register = template.Library()


@register.filter
def municipality_name(code: object) -> str:
    return names.municipality_name(code)


@register.filter
def county_name(code: object) -> str:
    return names.county_name(code)


@register.filter
def sni_name(code: object) -> str:
    """The title of the code, or of its section when akrim knows no closer title; the code
    itself only when it is no SNI code at all."""
    return names.title_of(code) or names.section_title(code) or str(code or "")


@register.filter
def sni_section_name(code: object) -> str:
    return names.section_title(code)


@register.filter
def country_name(code: object) -> str:
    return names.country_name(code)


@register.filter
def label(value: object, kind: str) -> str:
    return names.choice_label(value, kind)


@register.filter
def field_label(value, path: str) -> str:
    """The label of a stored choice of a model field ("app.Model.field"), for templates of
    apps whose choice lists are not registered with the `label` filter; the value itself
    when the field has no such choice."""
    app_label, model_name, field_name = path.rsplit(".", 2)
    field = apps.get_model(app_label, model_name)._meta.get_field(field_name)
    return str(dict(field.flatchoices).get(value, value))


@register.filter
def score(value: Any) -> str:  # a number, a Decimal, or empty
    """A risk-ranking score in points (the scale is explained where scores are listed)."""
    if value in (None, ""):
        return ""
    number = float(value)
    # Quarter points: as many decimals as the value needs (172, 172,5, 172,25).
    decimals = next(d for d in (0, 1, 2) if round(number * 10**d, 6).is_integer() or d == 2)
    return _("%(points)s points") % {"points": floatformat(number, decimals)}
