from django.apps import AppConfig
from django.db import models
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    """Control operations, joint workplace inspections, findings and decisions."""

    name = "inspections"
    verbose_name = _("Inspections")

    def ready(self):
        from cases.referrals import origins
        from inspections import choices, demo, facts, permissions, policies  # noqa: F401  (registers)
        from inspections.referrals import resolve_inspection
        from network.names import register_choices
        from network.navigation import NavItem, register

        register_choices(
            *(
                value
                for value in vars(choices).values()
                if isinstance(value, type)
                and issubclass(value, models.Choices)
                and value.__module__ == choices.__name__
            )
        )

        origins.register("inspection", resolve_inspection)
        facts.connect()
        post_migrate.connect(_seed_risk_table_after_migrate, sender=self)
        register(
            NavItem(
                "inspections",
                _("Inspections"),
                "inspections:inspection_list",
                "inspections.work_on_inspections",
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


def _seed_risk_table_after_migrate(using="default", **kwargs):
    """The risk table's seed rows come with migration 0003; a flushed database (transactional
    tests, `manage.py flush`) gets the missing ones back, as network does its reference data."""
    from django.db import connections

    from inspections.models import IndustryRisk
    from inspections.reference import ensure_industry_risks

    if IndustryRisk._meta.db_table in connections[using].introspection.table_names():
        ensure_industry_risks(IndustryRisk)
