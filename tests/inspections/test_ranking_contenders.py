"""The ranking scores in full only the contenders (inspections/risk.py, `rank`): a short list
must be exactly the head of the list that scores every workplace, and the draw exactly the
first of the seeded order among the rest.

The full list (limit 500, no draw) is the reference: every workplace of the universe is a
contender there. Short lists with and without a draw are then compared with it; the data
are made so that the bar leaves workplaces out (asserted, so the test cannot pass without
the pruning being exercised)."""

from datetime import date, timedelta

import pytest

from inspections import risk
from inspections.models import AgencyAssignment, Inspection, Workplace
from network.models import Agency, County
from tests.inspections.test_ranking_facts import _world

pytestmark = pytest.mark.django_db

LATER = ("linked_employers",)  # the factor scored only for the contenders


def _quiet_places(actor, n):
    """Workplaces outside the risk table, each controlled last month by Arbetsmiljöverket and
    the police with nothing found: their six known factors are 0, so the cap of the seventh
    cannot lift them to the bar."""
    county = County.objects.get(code="01")
    av, polis = Agency.objects.get(code="av"), Agency.objects.get(code="polis")
    for i in range(n):
        place = Workplace.objects.create(
            name=f"Lugn {i}", municipality="0180", county=county, sni="62.010"
        )
        day = date(2025, 12, 1) + timedelta(days=i)
        inspection = Inspection.objects.create(
            reference=f"KO-Q-{i}",
            workplace=place,
            coordinating_agency=av,
            planned_date=day,
            status="performed",
            performed_on=day,
            created_by=actor,
        )
        AgencyAssignment.objects.create(
            inspection=inspection,
            agency=polis,
            mode="on_site",
            status="accepted",
            assigned_by=actor,
        )


def _request(limit, share, industries=()):
    return risk.build_request(
        centre="stockholm",
        industries=industries,
        period="2026-01",
        limit=limit,
        random_share=share,
        today=date(2025, 1, 1),
    )


def _draw_key(place_id, seed):
    return ((place_id * 2654435761 + seed) % 4294967311, place_id)


@pytest.mark.parametrize("seed", [1, 2])
def test_short_lists_are_the_head_of_the_full_list_and_the_draw_its_seeded_rest(persona, seed):
    _world(persona, seed=seed, inspections=40)
    _quiet_places(persona("av", "coordinator"), 8)
    for user in (persona("av", "coordinator"), persona("polis", "coordinator")):
        full = risk.rank(_request(500, 0), user=user)
        assert full, user
        points = {c.workplace.pk: {f.key: f.points for f in c.factors} for c in full}
        scores = {pk: sum(p.values()) for pk, p in points.items()}
        known = {pk: sum(v for k, v in p.items() if k not in LATER) for pk, p in points.items()}
        by_score = sorted(scores, key=lambda pk: (-scores[pk], pk))
        assert [c.workplace.pk for c in full] == by_score
        pruned = False
        for limit, share in ((1, 0), (2, 0), (3, 0), (5, 0.4), (4, 0.5), (6, 0.2)):
            request = _request(limit, share)
            n = min(limit, len(full))
            n_random = (n * round(share * 1000) + 500) // 1000
            n_top = n - n_random
            short = risk.rank(request, user=user)
            top = [c for c in short if c.basis == "risk_ranking"]
            drawn = [c for c in short if c.basis != "risk_ranking"]
            assert [c.workplace.pk for c in top] == by_score[:n_top], (user, limit, share)
            rest = [
                pk for pk in scores if points[pk]["industry"] > 0 and pk not in by_score[:n_top]
            ]
            rest.sort(key=lambda pk: _draw_key(pk, request.seed))
            assert [c.workplace.pk for c in drawn] == rest[:n_random], (user, limit, share)
            for candidate in short:  # every factor as the full scoring gave it
                pk = candidate.workplace.pk
                assert {f.key: f.points for f in candidate.factors} == points[pk]
                assert candidate.score == scores[pk]
            if n_top:
                # Did the bar leave anyone out? The n_top-th best of the six factors known for
                # every workplace; then the cap of the seventh (linked employers) on top.
                bar = sorted(known.values(), reverse=True)[n_top - 1]
                cap = risk.CAPS["linked_employers"]
                pruned |= any(known[pk] + cap < bar for pk in scores)
        assert pruned, user
