"""Names for the codes akrim stores: what a person reads instead of `1480`, `41.200`, `UA`
or `uppgiftsskyldighet_akrim`. Codes stay in the database and the API; pages show names
through the template filters in network/templatetags/names.py.

Choice lists live in the apps above network (cases, inspections), which must not be
imported from here; each app registers its TextChoices in its `ready()` and the `label`
filter looks them up by class name.
"""

from django.db.models import Choices
from django_countries import countries

from network.reference import county_name, municipality_name
from network.sni import section_title, title_of

__all__ = [
    "action_label",
    "choice_label",
    "object_type_name",
    "object_url",
    "register_actions",
    "register_object_link",
    "countries",
    "country_choices",
    "country_name",
    "county_name",
    "municipality_name",
    "register_choices",
    "section_title",
    "title_of",
]

_CHOICES: dict[str, type[Choices]] = {}


def register_choices(*classes: type[Choices]) -> None:
    """Make choice classes known to the `label` filter by their class name."""
    for cls in classes:
        _CHOICES[cls.__name__] = cls


def choice_label(value, kind: str) -> str:
    """The translated label of a stored choice code (`'accepted', 'AssignmentStatus'` ->
    'Accepterat'); the value itself when the code or the list is unknown."""
    cls = _CHOICES.get(kind)
    if cls is None or value in (None, ""):
        return "" if value is None else str(value)
    try:
        return str(cls(value).label)
    except ValueError:
        return str(value)


# Audit trail: what an action means as a sentence, and where an object of a type is shown.
# Apps above network register theirs in ready() (network must not import them).
_ACTIONS: dict[str, str] = {}
_OBJECT_LINKS: dict[str, str] = {}


def register_actions(labels: dict) -> None:
    """`{"inspection.planned": gettext_lazy("planned the inspection"), ...}`."""
    _ACTIONS.update(labels)


def register_object_link(object_type: str, url_name: str) -> None:
    """`register_object_link("inspections.inspection", "inspections:inspection_detail")`:
    the audit log links such objects to that page (which still checks the reader's scope)."""
    _OBJECT_LINKS[object_type] = url_name


def action_label(action: str) -> str:
    """An audit action as words; the action's own name when no app described it."""
    label = _ACTIONS.get(action)
    return str(label) if label else action


def object_type_name(object_type: str) -> str:
    """'inspections.inspection' -> the model's name ('Kontroll'); as it is when unknown."""
    from django.apps import apps

    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return object_type
    return str(model._meta.verbose_name).capitalize()


def object_url(object_type: str, object_id) -> str:
    from django.urls import NoReverseMatch, reverse

    url_name = _OBJECT_LINKS.get(object_type)
    if not url_name or not str(object_id).isdigit():
        return ""
    try:
        return reverse(url_name, args=[int(object_id)])
    except NoReverseMatch:
        return ""


def country_name(code) -> str:
    """ISO 3166-1 alpha-2 -> the country's name in the active language ('UA' -> 'Ukraina');
    an unknown code as it is."""
    code = str(code or "").strip().upper()
    if not code:
        return ""
    return str(countries.name(code)) or code


# Swedish alphabetical order puts å, ä, ö after z (and ü with y, é with e).
_SWEDISH_ORDER = str.maketrans({"å": "z{", "ä": "z|", "ö": "z}", "ü": "y", "é": "e", "è": "e"})


def swedish_sort_key(text: str) -> str:
    return str(text).lower().translate(_SWEDISH_ORDER)


def country_choices() -> list[tuple[str, str]]:
    """Every country as (alpha-2, name), in Swedish alphabetical order of the names."""
    return sorted(
        ((str(code), str(name)) for code, name in countries),
        key=lambda item: swedish_sort_key(item[1]),
    )
