"""The Django admin for the network, scoped like everything else.

The system administrator (superuser) manages reference data and every agency. An agency
administrator (role `admin`) sees and manages only their own agency's memberships, users and
contacts. Membership changes go through `set_membership`, so groups stay in step and every
change is audited. The audit trail is read-only here and follows `visible_to`.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models.fields.related import ForeignKey
from django.forms import ModelChoiceField
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _

from network import outbox
from network.http import user_of
from network.models import (
    Agency,
    AuditEvent,
    Centre,
    Contact,
    County,
    Membership,
    OutboxMessage,
    Role,
    RoleGroup,
    User,
)
from network.services import ensure_agency_group, record_event, set_membership


class NotFoundOutsideScope:
    """Answer 404 for an object outside the admin's scope, like every other view, instead of
    Django admin's redirect with a "does not exist" message."""

    def _get_obj_does_not_exist_redirect(
        self, request: HttpRequest, opts: Any, object_id: str
    ) -> None:
        raise Http404


class ReadOnlyAdmin[M: models.Model](admin.ModelAdmin[M]):
    """For looking records up: writes go through the pages and the API (services), which
    check and audit them, so the admin never offers add, change or delete."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _own_agency_id(request: HttpRequest) -> int | None:
    membership = user_of(request).active_membership
    return membership.agency_id if membership else None


class ReferenceDataAdmin[M: models.Model](admin.ModelAdmin[M]):
    """Reference data: readable by agency admins, editable by the system administrator."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser or request.user.has_perm("network.view_membership")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)


@admin.register(Agency)
class AgencyAdmin(ReferenceDataAdmin[Agency]):
    list_display = ["code", "name_sv", "name_en", "is_coordinator", "is_network_member", "active"]
    search_fields = ["code", "name_sv", "name_en"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        ensure_agency_group(obj)
        record_event(
            "agency.updated" if change else "agency.created",
            actor=user_of(request),
            obj=obj,
            changes={f: None for f in form.changed_data},
        )


@admin.register(County)
class CountyAdmin(ReferenceDataAdmin[County]):
    list_display = ["code", "iso_code", "name"]


@admin.register(Centre)
class CentreAdmin(ReferenceDataAdmin[Centre]):
    list_display = ["name", "city", "police_region", "opened_on"]
    filter_horizontal = ["counties"]


@admin.register(RoleGroup)
class RoleGroupAdmin(ReferenceDataAdmin[RoleGroup]):
    """Capabilities come from code (network.permissions); shown here, never edited."""

    list_display = ["role", "group"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MembershipForm(forms.ModelForm[Membership]):
    roles = forms.MultipleChoiceField(
        label=_("roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Membership
        fields = ["user", "agency", "roles", "centre", "active"]


@admin.register(Membership)
class MembershipAdmin(NotFoundOutsideScope, admin.ModelAdmin[Membership]):
    form = MembershipForm
    list_display = ["user", "agency", "roles", "centre", "active"]
    list_filter = ["agency", "active", "centre"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    list_select_related = ["user", "agency", "centre"]
    autocomplete_fields = ["user"]

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Membership]:
        return Membership.objects.visible_to(request.user).select_related("user", "agency")

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        if db_field.name == "agency" and not request.user.is_superuser:
            kwargs["queryset"] = Agency.objects.filter(pk=_own_agency_id(request))  # type: ignore[misc]  # None: IS NULL, no rows
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not request.user.is_superuser and obj.agency_id != _own_agency_id(request):
            raise PermissionDenied
        set_membership(
            obj.user,
            agency=obj.agency,
            roles=form.cleaned_data["roles"],
            centre=obj.centre,
            active=obj.active,
            actor=user_of(request),
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Nobody changes their own roles (set_membership refuses too): view only.
        if obj is not None and obj.user_id == request.user.pk and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead, so history stays readable


@admin.register(User)
class UserAdmin(NotFoundOutsideScope, DjangoUserAdmin[User]):
    """Users. An agency admin sees only users of their own agency and cannot make anyone a
    superuser or hand out groups and permissions directly (roles do that)."""

    list_display = ["username", "first_name", "last_name", "email", "is_active", "last_login"]
    list_filter = ["is_active", "membership__agency"]

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[User]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(
            membership__in=Membership.objects.visible_to(request.user).values("pk")
        )

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        return [
            (None, {"fields": ("username", "password")}),
            (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
            (_("Status"), {"fields": ("is_active", "last_login", "date_joined")}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ["last_login", "date_joined"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        record_event(
            "user.updated" if change else "user.created",
            actor=user_of(request),
            obj=obj,
            changes={f: None for f in form.changed_data if f != "password"},
        )


@admin.register(Contact)
class ContactAdmin(NotFoundOutsideScope, admin.ModelAdmin[Contact]):
    list_display = ["name", "agency", "title", "unit", "phone", "email"]
    list_filter = ["agency"]

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Contact]:
        queryset = super().get_queryset(request).select_related("agency")
        if request.user.is_superuser:
            return queryset
        return queryset.filter(agency_id=_own_agency_id(request))  # type: ignore[misc]  # None: IS NULL, no rows

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        if db_field.name == "agency" and not request.user.is_superuser:
            kwargs["queryset"] = Agency.objects.filter(pk=_own_agency_id(request))  # type: ignore[misc]  # None: IS NULL, no rows
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(AuditEvent)
class AuditEventAdmin(NotFoundOutsideScope, admin.ModelAdmin[AuditEvent]):
    """Read-only; the database refuses changes anyway."""

    list_display = ["at", "actor_username", "agency_code", "action", "object_type", "object_id"]
    list_filter = ["action"]
    search_fields = ["actor_username", "object_id", "request_id"]
    date_hierarchy = "at"

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[AuditEvent]:
        return AuditEvent.objects.visible_to(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- e-mail outbox: system administrators see what was and was not sent ------------------


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin[OutboxMessage]):
    """Read-only: a message is written by the change that caused it and sent by the outbox
    (network/outbox.py). Only system administrators look here (it holds e-mail addresses);
    a failed message can be sent again after checking it did not arrive."""

    list_display = ["created_at", "kind", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["status", "kind"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["send_again"]

    @admin.action(description=_("Send the selected failed e-mails again (audited)"))
    def send_again(self, request: HttpRequest, queryset: models.QuerySet[OutboxMessage]) -> None:
        count = outbox.send_again(queryset.values_list("pk", flat=True), actor=user_of(request))
        self.message_user(request, _("%(n)s e-mails will be sent again.") % {"n": count})

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- lockouts (django-axes): unlocking is an audited action, not a silent delete ----------

from axes.admin import AccessAttemptAdmin  # noqa: E402
from axes.models import AccessAttempt  # noqa: E402

from network.lockout import unlock_login  # noqa: E402

if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class AuditedAccessAttemptAdmin(AccessAttemptAdmin):  # type: ignore[misc]  # axes: untyped
    """Failed logins. The system administrator sees all and unlocks usernames and
    addresses; an agency administrator sees the attempts on their own agency's usernames
    and unlocks those usernames (network.lockout.may_unlock)."""

    actions = ["unlock"]

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        queryset: models.QuerySet[Any] = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        usernames = Membership.objects.visible_to(request.user).values("user__username")
        return queryset.filter(username__in=usernames)

    @admin.action(description=_("Unlock the selected usernames and addresses (audited)"))
    def unlock(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        if request.user.is_superuser:
            pairs = set(queryset.values_list("username", "ip_address"))
        else:  # their own agency's usernames (the queryset is scoped), never an address
            pairs = {(username, "") for username in queryset.values_list("username", flat=True)}
        removed = sum(
            unlock_login(username=username or "", ip_address=ip or "", actor=user_of(request))
            for username, ip in pairs
        )
        self.message_user(request, _("Unlocked; %(n)s failed logins cleared.") % {"n": removed})

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
