"""Reads of referrals. Every one starts at `VictimReferral.objects.visible_to(user)`, which is
the referral policy's `scope(user, "view")` (cases/referrals/policies.py)."""

from network.querysets import ScopedQuerySet


class VictimReferralQuerySet(ScopedQuerySet):
    pass
