from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    """Control operations, joint workplace inspections, findings and decisions."""

    name = "inspections"
    verbose_name = _("Inspections")

    def ready(self):
        from inspections import permissions  # noqa: F401  (registers capabilities)
