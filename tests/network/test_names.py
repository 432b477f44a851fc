"""Names for stored codes: SCB's municipalities and counties, SNI 2007 titles, countries in
Swedish and choice labels, as the template filters pages use show them."""

import pytest
from django.template import Context, Template
from django.utils import translation

from network import names, reference, sni


@pytest.fixture(autouse=True)
def swedish():
    with translation.override("sv"):
        yield


def render(source: str, **context) -> str:
    return Template("{% load names %}" + source).render(Context(context))


def test_all_290_municipalities_each_in_its_county():
    municipalities = reference.municipalities()
    assert len(municipalities) == 290
    county_codes = {code for code, _iso, _name in reference.COUNTIES}
    assert {code[:2] for code in municipalities} == county_codes
    assert municipalities["1480"] == "Göteborg"
    assert municipalities["0180"] == "Stockholm"
    assert municipalities["2584"] == "Kiruna"
    assert municipalities["0980"] == "Gotland"


def test_municipalities_grouped_by_county_in_swedish_order():
    groups = dict(reference.municipalities_by_county())
    assert len(groups) == 21
    skane = [name for _code, name in groups["Skåne län"]]
    assert len(skane) == 33
    assert skane[-3:] == ["Ängelholm", "Örkelljunga", "Östra Göinge"]


def test_pages_show_names_not_codes():
    assert render("{{ m|municipality_name }}", m="1480") == "Göteborg"
    assert render("{{ c|county_name }}", c="14") == "Västra Götalands län"
    assert render("{{ s|sni_name }}", s="41.200") == "Byggande av bostadshus och andra byggnader"
    assert render("{{ s|sni_name }}", s="56.100") == "Restaurangverksamhet"
    assert render("{{ s|sni_section_name }}", s="41.200") == "Byggverksamhet"
    assert render("{{ n|country_name }}", n="UA") == "Ukraina"
    assert render("{{ n|country_name }}", n="pl") == "Polen"
    assert render("{{ v|label:'InspectionStatus' }}", v="documented") == "Dokumenterad"
    assert render("{{ v|score }}", v=172.5) == "172,5 poäng"


def test_unknown_codes_are_kept_rather_than_hidden():
    assert names.municipality_name("9999") == "9999"
    assert names.choice_label("no_such_code", "InspectionStatus") == "no_such_code"
    assert names.country_name("") == ""


def test_every_sni_division_has_a_swedish_title():
    divisions = {f"{d:02d}" for first, last, _l in sni.SECTIONS for d in range(first, last + 1)}
    # SNI 2007 leaves some numbers unused between sections.
    unused = {"04", "34", "40", "44", "48", "54", "57", "67", "76", "83", "89"}
    missing = [d for d in sorted(divisions - unused) if d not in sni.titles()]
    assert missing == []
    # A code without its own row takes its nearest parent's title.
    assert sni.title_of("43.991") == sni.title_of("43.99")


def test_countries_in_swedish_alphabetical_order():
    choices = names.country_choices()
    codes = [code for code, _name in choices]
    assert len(codes) > 240
    assert "SE" in codes
    names_only = [name for _code, name in choices]
    assert names_only.index("Sverige") < names_only.index("Österrike")
    assert names_only.index("Åland") > names_only.index("Zimbabwe")
