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
    "choice_label",
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


def choice_label(value: object, kind: str) -> str:
    """The translated label of a stored choice code (`'accepted', 'AssignmentStatus'` ->
    'Accepterat'); the value itself when the code or the list is unknown."""
    cls = _CHOICES.get(kind)
    if cls is None or value in (None, ""):
        return "" if value is None else str(value)
    try:
        return str(cls(value).label)
    except ValueError:
        return str(value)


def country_name(code: object) -> str:
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


# ISO 3166-1's exceptionally reserved codes that people write for a country.
_RESERVED = {"UK": "GB", "EL": "GR"}


def country_from_text(text: object) -> str:
    """The ISO 3166-1 alpha-2 code a free-text nationality means, or '' when it does not
    name exactly one country. Used to move text typed before the country list into codes.

    - A country's name in Swedish or English, or its alpha-3 code: that country.
    - A two-letter value: the code, unless it is also how another country's Swedish or
      English name begins. The old field kept two characters of whatever was typed, so
      "UK" may be "Ukraina" or the United Kingdom, and "ES" Spain or "Estland": such values
      name no country for sure.
    """
    from django.utils import translation

    text = " ".join(str(text or "").split())
    if not text:
        return ""
    candidates: set[str] = set()
    for language in ("sv", "en"):
        with translation.override(language):
            for code, name in countries:
                name = str(name).casefold()
                if len(text) == 2 and name.startswith(text.casefold()) or name == text.casefold():
                    candidates.add(code)
    if len(text) == 2 and text.isalpha() and text.upper() in countries:
        candidates.add(text.upper())
    if text.upper() in _RESERVED:  # codes people use that ISO keeps for another
        candidates.add(_RESERVED[text.upper()])
    elif len(text) == 3 and text.isalpha():
        alpha2 = countries.alpha2(text.upper())
        if alpha2:
            candidates.add(alpha2)
    return candidates.pop() if len(candidates) == 1 else ""
