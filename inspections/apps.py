from django.apps import AppConfig
from django.db import models
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

# The audit log's sentences for what inspections records (network/names.py).
AUDIT_ACTIONS = {
    "inspection.planned": _("planned the inspection"),
    "inspection.agency_assigned": _("asked an agency to take part"),
    "inspection.assignment_accepted": _("accepted to take part"),
    "inspection.assignment_declined": _("declined to take part"),
    "inspection.status_changed": _("changed the inspection's status"),
    "inspection.persons_recorded": _("recorded persons checked"),
    "inspection.results_submitted": _("submitted the agency's results"),
    "inspection.results_waived": _("marked an agency as not reporting"),
    "inspection.attachment_added": _("attached a file"),
    "inspection.attachment_downloaded": _("downloaded an attachment"),
    "inspection.exported": _("exported inspections"),
    "finding.recorded": _("recorded a finding"),
    "finding.disclosed": _("disclosed a secret finding"),
    "finding.viewed": _("read another agency's finding"),
    "decision.recorded": _("recorded a decision"),
    "followup.created": _("added a follow-up"),
    "followup.done": _("completed a follow-up"),
    "operation.created": _("planned a control operation"),
    "operation.status_changed": _("moved a control operation on"),
    "operation.planned_from_ranking": _("planned inspections from the risk ranking"),
    "employer.profile_read": _("read an employer profile"),
    "industry_risk.saved": _("changed the risk assessment"),
}


class InspectionsConfig(AppConfig):
    """Control operations, joint workplace inspections, findings and decisions."""

    name = "inspections"
    verbose_name = _("Inspections")

    def ready(self):
        from cases import origins
        from inspections import choices, demo, facts, permissions  # noqa: F401  (registers capabilities, demo)
        from inspections.referrals import resolve_inspection
        from network.names import register_actions, register_choices, register_object_link
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
        register_actions(AUDIT_ACTIONS)
        register_object_link("inspections.inspection", "inspections:inspection_detail")
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


def _seed_risk_table_after_migrate(using="default", **kwargs):
    """The risk table's seed rows come with migration 0003; a flushed database (transactional
    tests, `manage.py flush`) gets the missing ones back, as network does its reference data."""
    from django.db import connections

    from inspections.models import IndustryRisk
    from inspections.reference import ensure_industry_risks

    if IndustryRisk._meta.db_table in connections[using].introspection.table_names():
        ensure_industry_risks(IndustryRisk)
