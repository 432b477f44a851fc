"""The API's filter backend skips the FilterSet when no filter is asked for
(network/api/filtering.py); that is right only because every FilterSet the API uses leaves
its list as it is when given nothing, which the first test checks for each one."""

import pytest
from django.http import QueryDict
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.views import APIView

from network.api.filtering import FilterBackend, names_a_filter

pytestmark = pytest.mark.django_db


def api_views():
    """Every DRF view class the URL conf routes to, with its actions' init arguments."""
    found = []

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                cls = getattr(pattern.callback, "cls", None)
                if cls is not None and issubclass(cls, APIView):
                    found.append((cls, getattr(pattern.callback, "initkwargs", {})))

    walk(get_resolver().url_patterns)
    return found


def filtersets():
    """(FilterSet class, queryset) for every API view that filters."""
    seen = {}
    backend = FilterBackend()
    for cls, initkwargs in api_views():
        view = cls(**initkwargs)
        queryset = getattr(view, "queryset", None)
        if queryset is None and getattr(view, "scoped_model", None) is not None:
            queryset = view.scoped_model._default_manager.all()
        filterset_class = getattr(view, "filterset_class", None)
        if queryset is None and filterset_class is not None:
            queryset = filterset_class._meta.model._default_manager.all()
        if queryset is None:
            continue
        filterset_class = backend.get_filterset_class(view, queryset.all())
        if filterset_class is not None:
            seen[filterset_class] = queryset.all()
    return list(seen.items())


def test_every_api_filterset_leaves_its_list_unchanged_when_given_nothing(persona):
    found = filtersets()
    names = {cls.__name__ for cls, _queryset in found}
    assert {"CaseFilterSet", "InspectionFilterSet"} <= names, names  # the walk found them
    for user in (persona("skv", "staff"), persona("av", "coordinator", "admin")):
        request = RequestFactory().get("/")
        request.user = user
        for filterset_class, queryset in found:
            filterset = filterset_class(data=QueryDict(""), queryset=queryset, request=request)
            assert filterset.is_valid(), (filterset_class, filterset.errors)
            filtered = filterset.qs
            assert str(filtered.query) == str(queryset.query), filterset_class


def test_a_parameter_is_a_filter_when_it_starts_with_a_filters_name():
    class Ranged:
        base_filters = {"created": None, "q": None}

    assert names_a_filter(QueryDict("created_min=2024-01-01"), Ranged)
    assert names_a_filter(QueryDict("q=x&cursor=abc"), Ranged)
    assert not names_a_filter(QueryDict("cursor=abc&page_size=10"), Ranged)
    assert not names_a_filter(QueryDict(""), Ranged)


def test_the_first_page_builds_no_filterset_and_a_filter_still_filters(api, skv_staff, monkeypatch):
    from cases.coordination import services
    from cases.coordination.filters import CaseFilterSet

    built = []
    real_init = CaseFilterSet.__init__

    def counted(self, *args, **kwargs):
        built.append(1)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(CaseFilterSet, "__init__", counted)
    services.open_case(title="Ett", actor=skv_staff)
    services.open_case(title="Två", actor=skv_staff)
    client = api.as_user(skv_staff)
    everything = client.get(reverse("case-list"), {"page_size": 10}).json()["results"]
    assert {c["title"] for c in everything} == {"Ett", "Två"}
    assert built == []  # no filter named: no FilterSet, no form
    filtered = client.get(reverse("case-list"), {"q": "Två"}).json()["results"]
    assert [c["title"] for c in filtered] == ["Två"]
    assert built == [1]
    wrong = client.get(reverse("case-list"), {"status": "nonsense"})
    assert wrong.status_code == 400  # a filter given is still validated


def test_every_yes_no_filter_refuses_a_word_that_is_neither(persona):
    """Every yes/no filter of the API's lists is strict: an unknown word is an error naming
    the filter, not the whole list as if it had not been asked for (network/filters.py)."""
    import django_filters

    from network.filters import StrictBooleanFilter

    found = [
        (filterset_class, queryset, name, declared)
        for filterset_class, queryset in filtersets()
        for name, declared in filterset_class.base_filters.items()
        if isinstance(declared, django_filters.BooleanFilter)
    ]
    assert {"shared_with_me", "is_child", "overdue", "mine"} <= {f[2] for f in found}
    request = RequestFactory().get("/")
    request.user = persona("skv", "staff")
    for filterset_class, queryset, name, declared in found:
        assert isinstance(declared, StrictBooleanFilter), (filterset_class, name)
        for word in ("maybe", "yes please", "2"):
            bad = filterset_class(QueryDict(f"{name}={word}"), queryset=queryset, request=request)
            assert not bad.is_valid(), (filterset_class, name, word)
            assert list(bad.errors) == [name]
        for word, meant in [
            ("true", True),
            ("True", True),
            ("1", True),
            ("on", True),
            ("false", False),
            ("0", False),
            ("off", False),
            ("", None),
            ("unknown", None),
        ]:
            good = filterset_class(QueryDict(f"{name}={word}"), queryset=queryset, request=request)
            assert good.is_valid(), (filterset_class, name, word, good.errors)
            assert good.form.cleaned_data[name] is meant, (filterset_class, name, word)


def test_a_bad_yes_no_filter_is_a_400_naming_it_in_swedish(api, skv_staff):
    client = api.as_user(skv_staff)
    for url, name in [
        (reverse("case-list"), "shared_with_me"),
        (reverse("followup-list"), "overdue"),
        (reverse("followup-list"), "mine"),
    ]:
        response = client.get(url, {name: "kanske"}, HTTP_ACCEPT_LANGUAGE="sv")
        assert response.status_code == 400, response.content
        assert response.json() == {name: ["Ange sant eller falskt."]}
    fine = client.get(reverse("case-list"), {"shared_with_me": "false"})
    assert fine.status_code == 200


def test_the_checkbox_filter_shows_checked_only_for_a_yes(client, skv_staff):
    from cases.coordination.filters import CaseFilterSet

    def checked(query):
        html = str(CaseFilterSet(QueryDict(query)).form["shared_with_me"])
        return "checked" in html

    assert checked("shared_with_me=on")
    assert checked("shared_with_me=true")
    assert not checked("shared_with_me=false")
    assert not checked("shared_with_me=off")
    assert not checked("")
