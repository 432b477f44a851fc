"""Two people acting on the same referral or tip at the same moment: nothing is lost and a
one-time step happens once (issue 9, item 6). PostgreSQL, one connection per thread, released
together by a barrier; the services lock the row (select_for_update) and re-read it."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.coordination.models import Case
from cases.referrals import services as referral_services
from cases.referrals.models import ReflectionPeriod, VictimReferral
from cases.tips import services as tip_services
from cases.tips.models import Tip
from network.models import Agency, AuditEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def in_threads(*works):
    """Run each callable in its own thread at once; return what each returned or raised."""
    from django.db import connection

    barrier = threading.Barrier(len(works))
    results = [None] * len(works)

    def run(index):
        try:
            barrier.wait(timeout=10)
            results[index] = works[index]()
        except Exception as exc:  # the loser's error is part of the result
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(works))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def referral(persona):
    return referral_services.create_referral(
        person={"sex": "female"},
        receiving_body="polis",
        consent={"support": True, "sharing": True, "statistics": True},
        actor=persona("polis", "staff"),
    )


def test_two_consent_withdrawals_at_once_both_keep_their_date(referral, persona):
    one, two = persona("jamy", "staff"), persona("jamy", "staff", username="jamy.staff2")
    results = in_threads(
        lambda: referral_services.withdraw_consent(
            VictimReferral.objects.get(pk=referral.pk), purpose="sharing", actor=one
        ),
        lambda: referral_services.withdraw_consent(
            VictimReferral.objects.get(pk=referral.pk), purpose="statistics", actor=two
        ),
    )
    assert not any(isinstance(r, Exception) for r in results), results
    referral.refresh_from_db()
    today = timezone.localdate().isoformat()
    assert referral.consent_withdrawn == {"sharing": today, "statistics": today}
    assert (referral.consent_sharing, referral.consent_statistics) == (False, False)
    assert referral.consent_support is True


def test_a_reflection_period_is_decided_once(referral, persona):
    one, two = persona("jamy", "staff"), persona("jamy", "coordinator")
    period = referral_services.apply_for_reflection_period(
        referral, applicant="socialnamnd", submitted_on=timezone.localdate(), actor=one
    )
    today = timezone.localdate()
    results = in_threads(
        lambda: referral_services.decide_reflection_period(
            ReflectionPeriod.objects.get(pk=period.pk), granted=True, decided_on=today, actor=one
        ),
        lambda: referral_services.decide_reflection_period(
            ReflectionPeriod.objects.get(pk=period.pk), granted=False, decided_on=today, actor=two
        ),
    )
    winners = [r for r in results if isinstance(r, ReflectionPeriod)]
    losers = [r for r in results if isinstance(r, ValidationError)]
    assert (len(winners), len(losers)) == (1, 1), results
    period.refresh_from_db()
    assert period.status == winners[0].status
    assert AuditEvent.objects.filter(action="referral.reflection_decided").count() == 1


def test_two_coordinators_opening_a_case_from_one_tip_open_one_case(persona):
    tip = tip_services.submit_tip(
        data={
            "address": "Storgatan 1",
            "municipality": "Malmö",
            "county": None,
            "industry": "restaurant",
            "description": "Folk sover i lokalen.",
            "observations": [],
        }
    )
    one = persona("av", "coordinator", centre="stockholm")
    two = persona("av", "coordinator", centre="stockholm", username="av.coordinator2")
    skv, polis = Agency.objects.get(code="skv"), Agency.objects.get(code="polis")
    results = in_threads(
        lambda: tip_services.create_case_from_tip(
            Tip.objects.get(pk=tip.pk), owner_agency=skv, actor=one
        ),
        lambda: tip_services.create_case_from_tip(
            Tip.objects.get(pk=tip.pk), owner_agency=polis, actor=two
        ),
    )
    cases = [r for r in results if isinstance(r, Case)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert (len(cases), len(refused)) == (1, 1), results
    assert "case" in refused[0].message_dict
    tip.refresh_from_db()
    assert tip.case == cases[0]
    assert Case.objects.count() == 1
    assert AuditEvent.objects.filter(action="tip.case_created").count() == 1
