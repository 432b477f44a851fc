"""Control operations in the Django admin: read-only and scoped by visible_to, like the cases.

Operations are planned and moved through their pages and the API (services), which audit
them; the admin is for looking one up by its reference."""

from django.contrib import admin

from inspections.models import ControlOperation
from network.admin import NotFoundOutsideScope, ReadOnlyAdmin


@admin.register(ControlOperation)
class ControlOperationAdmin(NotFoundOutsideScope, ReadOnlyAdmin):
    list_display = ["reference", "title", "coordinating_agency", "period_start", "status"]
    list_filter = ["status", "scope"]
    search_fields = ["reference", "title"]
    readonly_fields = ["reference"]
    list_select_related = ["coordinating_agency"]

    def get_queryset(self, request):
        return ControlOperation.objects.visible_to(request.user).select_related(
            "coordinating_agency", "centre"
        )

    def has_view_permission(self, request, obj=None):
        """Django's admin asks for `inspections.view_controloperation` without an object;
        the role's capability is `inspections.work_on_control_operations` (docs/access.md,
        "django-guardian"), and `get_queryset` keeps the admin inside the operation's scope."""
        return request.user.has_perm("inspections.work_on_control_operations")
