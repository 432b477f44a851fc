from datetime import timedelta

import pytest
from django.utils import timezone

from cases.coordination import services as case_services
from cases.employers import services as employer_services
from network.models import Agency


@pytest.fixture
def employer(skv_staff):
    return employer_services.register_employer(
        orgnr="556036-0793", name="Bygg & Montage AB", actor=skv_staff
    )


@pytest.fixture
def skv_case(skv_staff, employer):
    return case_services.open_case(
        title="Misstänkt svartarbete på bygge",
        summary="Tips från AV",
        employer=employer,
        actor=skv_staff,
    )


@pytest.fixture
def share(skv_staff):
    """share(case, "polis", access="view", expires_in=None) through the service."""

    def make(case, agency, access="view", expires_in=None, legal_basis="uppgiftsskyldighet_akrim"):
        return case_services.share_case(
            case,
            agency=Agency.objects.get(code=agency),
            access=access,
            legal_basis=legal_basis,
            reason="Gemensam kontroll planerad",
            expires_at=timezone.now() + expires_in if expires_in else None,
            actor=skv_staff,
        )

    return make


@pytest.fixture
def expire():
    """Move a grant's expiry into the past (time passing, not a service action)."""

    def run(grant_model, **filters):
        # Shares and grants only: the owning agency's rows never expire (cases/grants.py).
        grant_model.objects.filter(owner=False, **filters).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )

    return run
