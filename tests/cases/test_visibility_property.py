"""`visible_to` agrees with django-guardian wherever grants are the only source of access.

Guardian's `get_objects_for_user` is the slow, general reference; our queryset is the fast
path. On random sets of group and personal grants (view rows that grant, change rows that
must not on their own), both must return exactly the same cases.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import get_objects_for_user
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.coordination import services as case_services
from cases.coordination.models import Case, CaseGroupObjectPermission, CaseUserObjectPermission
from cases.coordination.policies import CasePolicy
from network.models import Agency

CASES = 6
# (case index, holder, permission codename)
grant = st.tuples(
    st.integers(0, CASES - 1),
    st.sampled_from(["my_agency", "my_user", "other_agency", "other_user"]),
    st.sampled_from(["view_case", "change_case"]),
)


@pytest.fixture
def differential_world(persona):
    owner = persona("skv", "staff")
    cases = [case_services.open_case(title=f"Ärende {n}", actor=owner) for n in range(CASES)]
    return {
        "cases": cases,
        "viewer": persona("polis", "staff"),
        "other_user": persona("migr", "staff"),
        "my_group": Agency.objects.get(code="polis").group,
        "other_group": Agency.objects.get(code="migr").group,
        "perms": {
            p.codename: p
            for p in Permission.objects.filter(
                content_type__app_label="cases", content_type__model="case"
            )
        },
        "owner": owner,
    }


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(grants=st.lists(grant, max_size=14, unique=True))
def test_visible_to_equals_guardian_on_random_grants(grants, differential_world):
    w = differential_world
    with transaction.atomic():
        write_grants(w, grants)
        viewer = type(w["viewer"]).objects.get(pk=w["viewer"].pk)  # fresh permission caches
        ours = set(Case.objects.visible_to(viewer).values_list("pk", flat=True))
        theirs = set(
            get_objects_for_user(
                viewer,
                "cases.view_case",
                klass=Case,
            ).values_list("pk", flat=True)
        )
        assert ours == theirs
        transaction.set_rollback(True)


def write_grants(w, grants, expired=frozenset()):
    """The drawn grants as rows: to the viewer's agency or another (shares), to the viewer
    or another user (personal grants); the n-th expired (yesterday) when n is in `expired`."""
    for n, (index, holder, codename) in enumerate(grants):
        fields = {
            "content_object": w["cases"][index],
            "permission": w["perms"][codename],
            "legal_basis": "samtycke",
            "reason": "Slumpad behörighet",
            "granted_by": w["owner"],
            "expires_at": timezone.now() - timedelta(days=1) if n in expired else None,
        }
        if holder.endswith("agency"):
            group = w["my_group"] if holder == "my_agency" else w["other_group"]
            CaseGroupObjectPermission.objects.create(group=group, **fields)
        else:
            user = w["viewer"] if holder == "my_user" else w["other_user"]
            CaseUserObjectPermission.objects.create(user=user, **fields)


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    grants=st.lists(grant, max_size=14, unique=True),
    expired=st.sets(st.integers(0, 13)),
    own=st.sets(st.integers(0, CASES - 1)),
)
def test_newest_is_the_scope_cut_at_every_count(grants, expired, own, differential_world):
    """`CasePolicy.newest(user, count)`, newest first and cut at `count`, is the scope cut at
    `count` for every count, with shares and grants expired or not and some cases owned by
    the viewer's agency (the first page of the case list reads it: network/api/pagination.py).
    """
    w = differential_world
    polis = Agency.objects.get(code="polis")
    with transaction.atomic():
        Case.objects.filter(pk__in=[w["cases"][i].pk for i in own]).update(owner_agency=polis)
        write_grants(w, grants, expired)
        viewer = type(w["viewer"]).objects.get(pk=w["viewer"].pk)
        policy = CasePolicy()
        for count in range(1, CASES + 2):
            scope = Case.objects.visible_to(viewer).order_by("-pk")
            newest = policy.newest(viewer, count).order_by("-pk")
            assert list(newest.values_list("pk", flat=True)[:count]) == list(
                scope.values_list("pk", flat=True)[:count]
            )
        transaction.set_rollback(True)
