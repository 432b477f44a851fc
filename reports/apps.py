from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """The annual situation report (Lägesbild): builds, frozen figures, rendering."""

    name = "reports"
    verbose_name = _("Reports")
