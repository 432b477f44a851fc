"""Existing shares and cases as guardian should know them (docs/access.md, "django-guardian").

- One row per share or grant: a further permission row of the same holder on the same object
  (change beside view) points to the view row (`part_of`) and drops its copies of the legal
  basis, reason and expiry.
- The owning agency's rows on every case (view, change, share), as `write_owner_rows` writes
  them for a new case.
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery

GRANT_MODELS = (
    ("CaseGroupObjectPermission", "group", "view_case"),
    ("CaseUserObjectPermission", "user", "view_case"),
    ("ReferralGroupObjectPermission", "group", "view_victimreferral"),
    ("ReferralUserObjectPermission", "user", "view_victimreferral"),
)
OWNER_PERMISSIONS = ("view_case", "change_case", "share_case")


def forwards(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for name, holder, view in GRANT_MODELS:
        model = apps.get_model("cases", name)
        record = model.objects.filter(
            content_object_id=OuterRef("content_object_id"),
            **{f"{holder}_id": OuterRef(f"{holder}_id")},
            permission__codename=view,
        ).values("pk")[:1]
        parts = model.objects.exclude(permission__codename=view).annotate(record=Subquery(record))
        for row in parts.filter(record__isnull=False):
            model.objects.filter(pk=row.pk).update(
                part_of_id=row.record, legal_basis="", reason="", expires_at=None
            )
    perms = dict(
        Permission.objects.filter(
            content_type__app_label="cases", codename__in=OWNER_PERMISSIONS
        ).values_list("codename", "pk")
    )
    if len(perms) < len(OWNER_PERMISSIONS):
        return  # a new database: no case yet, permissions come after the migrations
    Case = apps.get_model("cases", "Case")
    Share = apps.get_model("cases", "CaseGroupObjectPermission")
    cases = Case.objects.filter(owner_agency__group__isnull=False).values_list(
        "pk", "owner_agency__group_id", "created_at", "created_by_id"
    )
    for case_id, group_id, created_at, created_by in cases.iterator(chunk_size=2000):
        record = None
        for codename in OWNER_PERMISSIONS:
            row, _created = Share.objects.update_or_create(
                content_object_id=case_id,
                group_id=group_id,
                permission_id=perms[codename],
                defaults={
                    "owner": True,
                    "part_of": record,
                    "legal_basis": "",
                    "reason": "",
                    "expires_at": None,
                    "granted_by_id": created_by,
                    "granted_at": created_at,
                },
            )
            record = record or row


def backwards(apps, schema_editor):
    apps.get_model("cases", "CaseGroupObjectPermission").objects.filter(owner=True).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0008_grant_records_and_owner_rows")]

    operations = [migrations.RunPython(forwards, backwards)]
