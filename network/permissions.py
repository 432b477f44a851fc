"""Role capabilities: which model permissions each role's group carries.

Each app declares the capabilities its roles need in its own `permissions.py` by calling
`grant(...)` at import time (its AppConfig.ready imports it), so `network` never imports
upward. After every migrate, `network.services.sync_role_groups` puts exactly these
permissions on the role groups: the registry is the single source of truth.

A capability says what a role may do *in general*; whether it may do it to one object is
decided by `visible_to(user)` as well ("has the capability and the object is in scope").
"""

from collections import defaultdict

from network.models import Role

_CAPABILITIES: dict[str, set[str]] = defaultdict(set)


def grant(role: str, *permissions: str) -> None:
    """Declare that `role` carries the given "app_label.codename" permissions."""
    if role not in Role.values:
        raise ValueError(f"Unknown role {role!r}")
    for permission in permissions:
        if permission.count(".") != 1:
            raise ValueError(f"Permission must be 'app_label.codename', not {permission!r}")
        _CAPABILITIES[role].add(permission)


def capabilities(role: str) -> frozenset[str]:
    return frozenset(_CAPABILITIES.get(role, ()))


grant(Role.STAFF, "network.view_contact")
grant(Role.COORDINATOR, "network.view_contact")
grant(Role.ANALYST, "network.view_contact")
grant(
    Role.AUDITOR,
    "network.view_contact",
    "network.view_auditevent",
    "network.add_auditeventreview",
)
grant(
    Role.ADMIN,
    "network.view_contact",
    "network.add_contact",
    "network.change_contact",
    "network.delete_contact",
    "network.view_membership",
    "network.add_membership",
    "network.change_membership",
    "network.view_user",
    "network.add_user",
    "network.change_user",
    # Failed logins of their own agency's users, to unlock them (network.lockout).
    "axes.view_accessattempt",
)
