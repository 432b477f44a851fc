"""Reads of tips. Every one starts at `Tip.objects.visible_to(user)`, which is the tip policy's
`scope(user, "view")` (cases/tips/policies.py)."""

from network.querysets import ScopedQuerySet


class TipQuerySet(ScopedQuerySet):
    pass
