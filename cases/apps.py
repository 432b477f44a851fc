from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    """Employers, coordination cases, shares, victim referrals and public tips."""

    name = "cases"
    verbose_name = _("Cases")

    def ready(self):
        from cases import demo, permissions  # noqa: F401  (registers capabilities, demo step)
        from cases.coordination import policies as _cases  # noqa: F401  (registers)
        from cases.employers import policies as _employers  # noqa: F401
        from cases.referrals import policies as _referrals  # noqa: F401
        from cases.tips import policies as _tips  # noqa: F401
        from network.navigation import NavItem, register

        register(NavItem("cases", _("Cases"), "cases:case_list", "cases.work_on_cases", order=10))
        register(
            NavItem(
                "referrals",
                _("Referrals"),
                "referrals:referral_list",
                "cases.work_on_referrals",
                order=30,
            )
        )
        register(NavItem("tips", _("Tips"), "tips:tip_list", "cases.work_on_tips", order=35))
        register(
            NavItem(
                "access_reviews",
                _("Access reviews"),
                "cases:review_list",
                "cases.work_on_access_reviews",
                order=91,
            )
        )
