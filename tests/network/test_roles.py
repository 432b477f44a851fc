import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured, ValidationError
from guardian.models import GroupObjectPermission

from network import permissions
from network.models import Agency, AuditEvent, Role, RoleGroup
from network.services import set_membership, sync_role_groups

pytestmark = pytest.mark.django_db


def _perms(group):
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


def test_role_groups_carry_exactly_the_registered_capabilities():
    for role in Role:
        group = RoleGroup.objects.get(role=role).group
        assert _perms(group) == set(permissions.capabilities(role)), role


def test_a_capability_granted_by_hand_is_taken_away_by_the_next_sync():
    group = RoleGroup.objects.get(role=Role.STAFF).group
    group.permissions.add(*group.permissions.model.objects.filter(codename="view_auditevent"))
    sync_role_groups()
    assert "network.view_auditevent" not in _perms(group)


def test_membership_puts_user_in_agency_and_role_groups(skv_staff):
    names = set(skv_staff.groups.values_list("name", flat=True))
    assert names == {"agency:skv", "role:staff"}
    assert skv_staff.has_perm("network.view_contact")
    assert not skv_staff.has_perm("network.view_auditevent")


def test_moving_a_user_to_another_agency_moves_their_groups(skv_staff):
    set_membership(
        skv_staff, agency=Agency.objects.get(code="polis"), roles=["staff", "auditor"], actor=None
    )
    names = set(skv_staff.groups.values_list("name", flat=True))
    assert names == {"agency:polis", "role:staff", "role:auditor"}
    event = AuditEvent.objects.filter(action="membership.updated").latest("id")
    assert event.changes["agency"] == ["skv", "polis"]


def test_deactivating_a_membership_removes_every_akrim_group(skv_staff):
    other = Group.objects.create(name="unrelated")
    skv_staff.groups.add(other)
    set_membership(
        skv_staff, agency=Agency.objects.get(code="skv"), roles=["staff"], active=False, actor=None
    )
    assert set(skv_staff.groups.values_list("name", flat=True)) == {"unrelated"}
    assert skv_staff.active_membership is None


def test_agency_admin_gets_admin_site_access_and_loses_it_with_the_role(skv_admin):
    assert skv_admin.is_staff
    set_membership(skv_admin, agency=skv_admin.agency, roles=["staff"], actor=None)
    skv_admin.refresh_from_db()
    assert not skv_admin.is_staff


def test_unknown_role_is_refused_with_a_field_error(skv_staff):
    with pytest.raises(ValidationError) as excinfo:
        set_membership(skv_staff, agency=skv_staff.agency, roles=["wizard"], actor=None)
    assert "roles" in excinfo.value.message_dict


def test_generic_guardian_rows_for_our_models_are_refused(skv_staff):
    event = AuditEvent.objects.first()
    with pytest.raises(ImproperlyConfigured, match="direct foreign-key"):
        GroupObjectPermission.objects.assign_perm(
            "view_auditevent", skv_staff.groups.first(), event
        )
