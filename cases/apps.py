from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    """Employers, coordination cases, shares, victim referrals and public tips."""

    name = "cases"
    verbose_name = _("Cases")
