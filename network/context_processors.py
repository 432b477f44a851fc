from django.http import HttpRequest
from django.utils.functional import Promise

from network.navigation import items_for
from network.twofactor import is_verified, needs_two_factor


def navigation(request: HttpRequest) -> dict[str, list[dict[str, str | Promise]]]:
    """The menu entries the signed-in user may use (empty for anonymous visitors and for
    those who still have to pass the second factor)."""
    user = getattr(request, "user", None)
    if user is None:
        return {"nav_items": []}
    if user.is_authenticated and not is_verified(request) and needs_two_factor(user):
        return {"nav_items": []}
    return {"nav_items": items_for(user)}
