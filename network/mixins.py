"""The HTML view base every protected page builds on (the twin of network/api/base.py).

`get_queryset()` starts at `visible_to(user)`, so Django's generic detail views answer 404 for
an object outside the user's scope; a missing role capability answers 403.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied


class CapabilityRequiredMixin(LoginRequiredMixin):
    """403 unless the signed-in user's roles carry `required_capability`."""

    required_capability: str | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if self.required_capability and not request.user.has_perm(self.required_capability):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ScopedQuerysetMixin(CapabilityRequiredMixin):
    scoped_model = None
    select_related: tuple[str, ...] = ()

    def get_queryset(self):
        queryset = self.scoped_model.objects.visible_to(self.request.user)
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        return queryset
