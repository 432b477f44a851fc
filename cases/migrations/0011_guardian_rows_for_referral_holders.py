"""The holders' rows on every existing referral (docs/access.md, "django-guardian"), as
`cases.grants.write_referral_holder_rows` writes them for a new one: the referring agency,
the receiving agency and every national coordinator for victims get view, change, reveal and
share (`owner=True`; the view row the record, the others `part_of` it). A share such an
agency held is replaced by its rows (a holder is never also shared with).

`reveal_victimreferral` is new in 0010 and Django creates permissions only after the
migrations, so it is created here when referrals already exist.
"""

from django.db import migrations
from django.db.models import Q

HOLDER_PERMISSIONS = (
    ("view_victimreferral", "Can view victim referral"),
    ("change_victimreferral", "Can change victim referral"),
    ("reveal_victimreferral", "Can see the identity of this referral's person"),
    ("share_victimreferral", "Can share this referral"),
)


def forwards(apps, schema_editor):
    Referral = apps.get_model("cases", "VictimReferral")
    if not Referral.objects.exists():
        return  # a new database: nothing to write, permissions come after the migrations
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Agency = apps.get_model("network", "Agency")
    Rows = apps.get_model("cases", "ReferralGroupObjectPermission")
    ctype, _ = ContentType.objects.get_or_create(app_label="cases", model="victimreferral")
    perms = {
        codename: Permission.objects.get_or_create(
            content_type=ctype, codename=codename, defaults={"name": name}
        )[0].pk
        for codename, name in HOLDER_PERMISSIONS
    }
    groups = dict(Agency.objects.filter(group__isnull=False).values_list("pk", "group_id"))
    national = set(
        Agency.objects.filter(is_national_coordinator=True, group__isnull=False).values_list(
            "group_id", flat=True
        )
    )
    view, *others = (codename for codename, _name in HOLDER_PERMISSIONS)
    holders = Referral.objects.values_list("pk", "referring_agency_id", "receiving_agency_id")
    for referral_id, referring, receiving in holders.iterator(chunk_size=2000):
        wanted = national | {groups[a] for a in (referring, receiving) if a in groups}
        mine = Rows.objects.filter(content_object_id=referral_id)
        mine.filter(Q(owner=False, group_id__in=wanted) | Q(owner=True)).delete()
        records = Rows.objects.bulk_create(
            Rows(
                content_object_id=referral_id,
                group_id=group_id,
                permission_id=perms[view],
                owner=True,
            )
            for group_id in sorted(wanted)
        )
        Rows.objects.bulk_create(
            Rows(
                content_object_id=referral_id,
                group_id=record.group_id,
                permission_id=perms[codename],
                owner=True,
                part_of_id=record.pk,
            )
            for record in records
            for codename in others
        )


def backwards(apps, schema_editor):
    apps.get_model("cases", "ReferralGroupObjectPermission").objects.filter(owner=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_role_capabilities_apart_from_object_permissions"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("network", "0005_agency_national_coordinator"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
