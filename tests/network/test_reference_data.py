import pytest

from network.models import Agency, Centre, County

pytestmark = pytest.mark.django_db


def test_the_nine_agencies_exist_with_av_coordinating():
    codes = set(Agency.objects.values_list("code", flat=True))
    assert codes == {"af", "av", "ebm", "fk", "jamy", "migr", "polis", "skv", "aklag"}
    assert list(Agency.objects.filter(is_coordinator=True).values_list("code", flat=True)) == ["av"]
    assert Agency.objects.get(code="aklag").name_sv == "Åklagarmyndigheten"


def test_every_agency_has_its_own_grant_group():
    for agency in Agency.objects.select_related("group"):
        assert agency.group.name == f"agency:{agency.code}"


def test_the_21_counties_have_codes_and_iso_codes():
    assert County.objects.count() == 21
    assert County.objects.get(code="01").iso_code == "SE-AB"
    assert County.objects.get(code="25").name == "Norrbottens län"
    assert not County.objects.filter(code__in=["02", "11", "15", "16"]).exists()


def test_the_seven_centres_cover_every_county_exactly_once():
    assert Centre.objects.count() == 7
    covered = list(Centre.counties.through.objects.values_list("county__code", flat=True))
    assert sorted(covered) == sorted(County.objects.values_list("code", flat=True))
    stockholm = Centre.objects.get(code="stockholm")
    assert stockholm.police_region == "Stockholm"
    assert set(stockholm.counties.values_list("code", flat=True)) == {"01", "09"}
