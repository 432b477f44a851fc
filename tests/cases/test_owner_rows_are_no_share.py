"""The case policy reads the owner agency from the case's own column and, of an agency's
rows, only shares (`owner=False`): docs/access.md, "django-guardian". An owner row is
written for the case's owner agency when the case is created and a case does not change
owner, so reading owner rows among the shares gives no further access; leaving them out keeps
PostgreSQL from gathering one row per case the agency owns for every page of cases
(docs/performance.md, "First pages").

The state below (an owner row of an agency that does not own the case) is one no code path
writes: it is how the test tells whether the policy asks owner rows at all."""

import pytest
from django.contrib.auth.models import Permission

from cases.coordination.models import Case, CaseGroupObjectPermission
from cases.coordination.policies import CasePolicy
from network.models import Agency

pytestmark = pytest.mark.django_db


def stray_owner_row(case, code: str) -> None:
    CaseGroupObjectPermission.all_grants.create(
        content_object=case,
        group=Agency.objects.get(code=code).group,
        permission=Permission.objects.get(codename="view_case"),
        owner=True,
    )


def test_an_owner_row_of_another_agency_gives_it_nothing(skv_case, skv_staff, polis_staff):
    policy = CasePolicy()
    # The owner agency's own rows are there (cases/grants.py), and it sees its case.
    assert CaseGroupObjectPermission.all_grants.filter(content_object=skv_case, owner=True)
    assert skv_case in Case.objects.visible_to(skv_staff)
    stray_owner_row(skv_case, "polis")
    assert skv_case not in Case.objects.visible_to(polis_staff)
    assert not policy.decide(polis_staff, "view", skv_case)
    assert not policy.decide(polis_staff, "change", skv_case)
    assert policy.decide_many(polis_staff, [skv_case]) == {}


def test_a_share_beside_it_still_counts(skv_case, polis_staff, share):
    stray_owner_row(skv_case, "polis")
    share(skv_case, "polis")
    assert skv_case in Case.objects.visible_to(polis_staff)
    access = CasePolicy().decide(polis_staff, "view", skv_case)
    assert access.basis == "share"
    assert CasePolicy().decide_many(polis_staff, [skv_case]) == {skv_case.pk: access}
