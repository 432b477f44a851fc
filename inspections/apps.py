from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    """Control operations, joint workplace inspections, findings and decisions."""

    name = "inspections"
    verbose_name = _("Inspections")

    def ready(self):
        from cases import origins
        from inspections import demo, permissions  # noqa: F401  (registers capabilities, demo)
        from inspections.referrals import resolve_inspection
        from network.navigation import NavItem, register

        origins.register("inspection", resolve_inspection)
        register(
            NavItem(
                "inspections",
                _("Inspections"),
                "inspections:inspection_list",
                "inspections.view_inspection",
                order=20,
            )
        )
        register(
            NavItem(
                "risk_selection",
                _("Selection"),
                "inspections:risk_candidates",
                "inspections.coordinate_inspection",
                order=25,
            )
        )
