from network.navigation import items_for


def navigation(request):
    """The menu entries the signed-in user may use (empty for anonymous visitors)."""
    user = getattr(request, "user", None)
    return {"nav_items": items_for(user) if user is not None else []}
