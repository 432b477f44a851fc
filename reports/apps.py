from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """The annual situation report (Lägesbild): builds, frozen figures, rendering."""

    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from network.navigation import NavItem, register
        from reports import demo, permissions, policies  # noqa: F401  (registers)

        register(
            NavItem(
                "lagesbild",
                _("Lägesbild"),
                "reports:report_home",
                "reports.work_on_report_builds",
                order=40,
            )
        )
        register(
            NavItem(
                "hit_rate",
                _("Hit rate"),
                "reports:hit_rate",
                "reports.work_on_report_builds",
                order=45,
            )
        )
