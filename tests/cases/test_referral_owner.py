"""The referral owner endpoint never tells whether a username exists (docs/security.md
"Separation of duties" and V2)."""

import pytest
from django.urls import reverse

from tests.cases.test_referral_statistics import refer

pytestmark = pytest.mark.django_db


def test_the_owner_endpoint_never_tells_whether_a_username_exists(api, polis_staff, persona):
    """Unknown, of an agency that does not work the referral, and inactive: one answer."""
    referral = refer(polis_staff)
    jamy = api.as_user(persona("jamy", "staff"))
    persona("fk", "staff")
    gone = persona("jamy", "coordinator", username="jamy.gone")
    gone.is_active = False
    gone.save()
    url = reverse("referral-set-owner", args=[referral.pk])
    answers = [
        jamy.post(url, {"owner": username}, format="json")
        for username in ["nobody.here", "fk.staff", "jamy.gone"]
    ]
    assert [a.status_code for a in answers] == [400, 400, 400]
    assert answers[0].json() == answers[1].json() == answers[2].json()
    assert list(answers[0].json()) == ["owner"]
    eligible = persona("jamy", "coordinator")
    done = jamy.post(url, {"owner": eligible.username}, format="json")
    assert done.status_code == 200
    assert done.json()["case_owner"] == eligible.username
