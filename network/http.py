"""The user of a request, typed (docs/architecture.md, "Static checks").

Django and DRF type `request.user` as possibly anonymous. Behind `LoginRequiredMixin` or
DRF's `IsAuthenticated` it is always our `User`; `user_of(request)` says so once, where a
service needs its actor, instead of a cast at every call."""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework.request import Request

from network.models import User

# Whom a policy or `visible_to` is asked about: anonymous users see nothing.
type AnyUser = User | AnonymousUser


def user_of(request: HttpRequest | Request) -> User:
    """The signed-in user of a request past the login check (never anonymous there; if a
    view forgot its login check, refuse rather than act for nobody)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user
