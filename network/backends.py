"""`user.has_perm(perm, obj)` answered by the object's policy (network/policies.py).

Django asks every backend in turn and stops at the first True or at a PermissionDenied. For
an object whose model has a policy this backend gives the policy's answer and stops there
(PermissionDenied on "no"), so neither guardian's rows nor a role's model-wide permission can
widen what the policy decides: an expired share, a declined assignment or an owner agency
without a grant row all answer as `decide` does. For other objects (and for questions
without an object) it says nothing and the next backends answer as before. Why this and not
guardian's own checker: docs/access.md, "django-guardian".
"""

from django.core.exceptions import PermissionDenied

from network.policies import policy_for


class PolicyBackend:
    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        if obj is None:
            return False
        policy = policy_for(obj)
        if policy is None:
            return False
        app_label, _dot, codename = perm.partition(".")
        action = policy.action_of(codename) if app_label == obj._meta.app_label else None
        if action is not None and policy.decide(user_obj, action, obj):
            return True
        raise PermissionDenied
