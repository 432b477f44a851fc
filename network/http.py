"""Types for requests that have passed the login check (type checking only).

Django and DRF build plain requests whose `user` may be anonymous. Behind
`LoginRequiredMixin` or DRF's `IsAuthenticated` it is always our `User`; views declare their
`request` with these types so that `request.user.active_membership` type-checks without a
cast at every use (docs/architecture.md, "Static checks")."""

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from rest_framework.request import Request

from network.models import User


class AuthenticatedRequest(HttpRequest):
    user: User


class AuthenticatedApiRequest(Request):
    user: User


# Whom a policy or `visible_to` is asked about: anonymous users see nothing.
type AnyUser = User | AnonymousUser
