"""Django's ModelBackend with what every request asks of the signed-in user read in fewer
round trips (docs/performance.md, "Per-request overhead").

Each signed-in request loads the user from the session, then asks for their active
membership (agency and roles: every `visible_to` needs it) and, on most API views, their
role capabilities. Django answers with one query each for the user, the membership, the
user's own permissions and their groups' permissions. Here the user comes with the
membership in one query, and the capabilities come in one, cached on the user object for
the rest of the request as Django caches them. Nothing is cached across requests, so a
changed role or a deactivated membership counts from the next request on.
"""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db.models import Exists, OuterRef

from network.models import User


class MembershipModelBackend(ModelBackend):
    def get_user(self, user_id):
        user = (
            User._default_manager.select_related("membership__agency", "membership__centre")
            .filter(pk=user_id)
            .first()
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        # `User.active_membership` is a cached_property: fill it with what was just read
        # (the membership is one-to-one; an inactive one is no membership).
        membership = getattr(user, "membership", None)
        user.__dict__["active_membership"] = (
            membership if membership is not None and membership.active else None
        )
        return user

    def get_all_permissions(self, user_obj, obj=None):
        if (
            not user_obj.is_active
            or user_obj.is_anonymous
            or obj is not None
            or user_obj.is_superuser
        ):
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            own = User.user_permissions.through.objects.filter(
                user_id=user_obj.pk, permission_id=OuterRef("pk")
            )
            via_group = Group.permissions.through.objects.filter(
                permission_id=OuterRef("pk"), group__user=user_obj
            )
            rows = Permission.objects.filter(Exists(own) | Exists(via_group)).values_list(
                "content_type__app_label", "codename"
            )
            user_obj._perm_cache = {f"{app}.{codename}" for app, codename in rows}
        return user_obj._perm_cache
