from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    """Agencies, centres, counties, staff membership and roles, and the access core."""

    name = "network"
    verbose_name = _("Agency network")

    def ready(self) -> None:
        from network import inbox, lockout, permissions, signals, tokens  # noqa: F401  (receivers)
        from network.navigation import NavItem, register
        from network.totp_keys import install as encrypt_totp_secrets

        encrypt_totp_secrets()

        post_migrate.connect(_sync_roles_after_migrate, sender=self)
        inbox.discover()  # each app's <app>/inbox.py registers its start-page items
        register(NavItem("home", _("Start"), "home", order=0))
        register(NavItem("directory", _("Directory"), "network:directory", order=80))
        register(
            NavItem("audit", _("Log"), "network:audit_list", "network.view_auditevent", order=90)
        )


def _sync_roles_after_migrate(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    # network's post_migrate runs before that of the apps listed after it, whose
    # permissions would not exist yet: create every app's permissions first.
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group

    from network.models import Agency, Centre, County
    from network.reference import ensure_reference_data
    from network.services import sync_role_groups

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    # Again after every migrate, so a flushed database (transactional tests) gets its
    # reference data back; creates only what is missing.
    ensure_reference_data(Agency, County, Centre, Group)
    sync_role_groups()
