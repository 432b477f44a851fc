"""Choosing instead of typing codes: the SNI picker (network/forms.py) offers SCB's titles
and takes only codes of the reference list; a nationality is a country from ISO 3166-1, and
text typed before the country list becomes a code only where it names one country."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from cases.employers.models import Employer
from cases.referrals import services as referral_services
from cases.referrals.models import ReferralNote, VictimReferral
from inspections.forms import InspectionPlanForm
from inspections.models import Inspection
from network import sni
from network.forms import SniCodeField, SniCodesField
from network.names import country_from_text


@pytest.fixture(autouse=True)
def swedish():
    with translation.override("sv"):
        yield


# --- one SNI code -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("41.200 Byggande av bostadshus och andra byggnader", "41.200"),  # picked from the list
        ("41.200", "41.200"),
        ("41.2", "41.200"),
        (" 56.100  Restaurangverksamhet ", "56.100"),
        ("43.99", "43.990"),
        ("96.021", "96.021"),
        ("41", "41"),
        ("", ""),
    ],
)
def test_a_picked_or_typed_sni_code_is_stored_in_its_five_digit_form(sent, stored):
    assert SniCodeField(required=False).clean(sent) == stored


@pytest.mark.parametrize("sent", ["41.999", "47.111", "00", "bygg", "F", "Byggverksamhet", "4"])
def test_a_code_outside_the_reference_list_is_refused(sent):
    field = SniCodeField()
    with pytest.raises(ValidationError) as refused:
        field.clean(sent)
    assert "Välj en bransch i listan (SNI 2007)" in str(refused.value.messages)


def test_the_picker_lists_every_code_with_its_swedish_title_and_shows_the_chosen_one():
    html = SniCodeField().widget.render("sni", "41.200", {"id": "id_sni"})
    assert 'list="id_sni_sni"' in html
    assert '<datalist id="id_sni_sni">' in html
    assert 'value="41.200 Byggande av bostadshus och andra byggnader"' in html
    assert '<option value="56.100 Restaurangverksamhet"></option>' in html
    assert (
        '<option value="01 Växtodling och djurhållning, jakt och service i anslutning härtill"></option>'
        in html
    )
    numeric = [code for code in sni.titles() if code[:1].isdigit()]
    assert html.count("<option ") == len(numeric)


# --- several SNI codes --------------------------------------------------------------------


def test_several_codes_are_chosen_by_title_grouped_by_section():
    field = SniCodesField()
    groups = dict(field.choices)
    assert ("41", "Byggande av hus") in groups["Byggverksamhet"]
    assert ("41.2", "– Byggande av bostadshus och andra byggnader") in groups["Byggverksamhet"]
    assert ("43.11", "– – Rivning av hus och byggnader") in groups["Byggverksamhet"]
    assert field.clean(["41", "81.2"]) == ["41", "81.2"]
    with pytest.raises(ValidationError):
        field.clean(["41.9"])
    html = field.widget.render("sni_prefixes", ["41"], {"id": "id_sni_prefixes"})
    assert '<optgroup label="Byggverksamhet">' in html
    assert '<option value="41" selected>Byggande av hus</option>' in html


# --- the planning form ------------------------------------------------------------------


def plan(**changes):
    return {
        "name": "Kvarteret Hagastaden, hus B",
        "county": "01",
        "municipality": "0180",
        "sni": "41.200 Byggande av bostadshus och andra byggnader",
        "workplace_type": "building_site",
        "planned_date": timezone.localdate().isoformat(),
        **changes,
    }


@pytest.mark.django_db
def test_the_planning_form_takes_a_picked_industry_and_refuses_an_unknown_one(persona):
    user = persona("av", "coordinator")
    form = InspectionPlanForm(plan(), user=user)
    assert form.is_valid(), form.errors
    assert form.workplace()["sni"] == "41.200"
    form = InspectionPlanForm(plan(sni="41.999"), user=user)
    assert not form.is_valid()
    assert list(form.errors) == ["sni"]
    form = InspectionPlanForm(
        plan(new_orgnr="212000-0142", new_name="X", new_sni="99.9"), user=user
    )
    assert not form.is_valid()
    assert list(form.errors) == ["new_sni"]


@pytest.mark.django_db
def test_an_employer_registered_while_planning_keeps_its_industry(client, persona):
    client.force_login(persona("av", "coordinator"))
    response = client.post(
        reverse("inspections:inspection_create"),
        {
            **plan(),
            "unannounced": "on",
            "new_orgnr": "212000-0142",
            "new_name": "Göteborgs Stad",
            "new_sni": "43.2",
            "new_role": "employer",
            "role_1": "employer",
            "role_2": "employer",
            "role_3": "employer",
            "operation": "",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assert Employer.objects.get(orgnr="2120000142").sni_codes == ["43.200"]
    assert Inspection.objects.get().workplace.sni == "41.200"


# --- countries --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("UA", "UA"),
        ("ua", "UA"),
        ("PL", "PL"),
        ("TH", "TH"),  # the code, and also how "Thailand" begins: the same country
        ("Ukraina", "UA"),
        ("ukraine", "UA"),
        ("Polen", "PL"),
        ("Rumänien", "RO"),
        ("UKR", "UA"),
        ("Sverige", "SE"),
        # Two characters that may be a code or the start of another country's name (the
        # old field kept two characters of what was typed): no country for sure.
        ("UK", ""),  # Ukraina, or the United Kingdom
        ("ES", ""),  # Spain, or Estland
        ("RU", ""),  # Russia, or Rumänien
        ("SE", ""),  # Sweden, or Senegal, Serbien ...
        ("XX", ""),
        ("", ""),
    ],
)
def test_free_text_names_a_country_only_when_it_names_one(text, code):
    assert country_from_text(text) == code


@pytest.mark.django_db
def test_the_data_migration_maps_clear_values_and_keeps_unclear_ones_in_a_note(persona):
    staff = persona("skv", "staff")

    def refer(nationality):
        referral = referral_services.create_referral(
            person={"sex": "female", "nationality": "UA"},
            receiving_body="nspm_stodtelefon",
            consent={"support": True},
            actor=staff,
        )
        VictimReferral.objects.filter(pk=referral.pk).update(nationality=nationality)
        return referral.pk

    clear, lower, unclear, empty = refer("PL"), refer("th"), refer("UK"), refer("")
    migration = importlib.import_module("cases.migrations.0006_referral_nationality_country")
    migration.to_country_codes(apps, None)

    stored = dict(VictimReferral.objects.values_list("pk", "nationality"))
    assert (stored[clear], stored[lower], stored[unclear], stored[empty]) == ("PL", "TH", "", "")
    note = ReferralNote.objects.get()
    assert note.referral_id == unclear
    assert "”UK”" in note.text
    assert (note.author, note.agency.code) == (staff, "skv")


def test_the_risk_table_form_takes_industries_from_the_list_only():
    from inspections.risk_views import IndustryRiskForm

    data = {"key": "bygg", "name_sv": "Bygg", "sni_prefixes": ["41", "43.2"], "weight": "8"}
    form = IndustryRiskForm(data)
    assert form.is_valid(), form.errors
    assert form.changes()["sni_prefixes"] == ["41", "43.2"]
    form = IndustryRiskForm({**data, "sni_prefixes": ["41", "43.29"]})
    assert not form.is_valid()
    assert list(form.errors) == ["sni_prefixes"]
    assert "43.29 finns inte i listan över branscher (SNI 2007)." in form.errors["sni_prefixes"]
