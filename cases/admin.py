"""Cases in the Django admin: read-only and scoped by visible_to like every other view.

Writes go through the case pages and the API (services), which audit them; the admin is
for looking things up, so it never offers add, change or delete."""

from django.contrib import admin

from cases.coordination.models import AccessReview, Case
from cases.employers.models import Employer
from network.admin import NotFoundOutsideScope


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Employer)
class EmployerAdmin(ReadOnlyAdmin):
    list_display = ["orgnr", "name", "legal_form", "is_sole_trader", "city"]
    search_fields = ["orgnr", "name"]


@admin.register(Case)
class CaseAdmin(NotFoundOutsideScope, ReadOnlyAdmin):
    list_display = ["reference", "title", "owner_agency", "status", "updated_at"]
    list_filter = ["status", "owner_agency"]
    search_fields = ["reference", "title"]
    list_select_related = ["owner_agency", "employer"]

    def get_queryset(self, request):
        return Case.objects.visible_to(request.user).select_related("owner_agency", "employer")


@admin.register(AccessReview)
class AccessReviewAdmin(NotFoundOutsideScope, ReadOnlyAdmin):
    list_display = ["requested_at", "user", "case", "verdict", "reviewed_by"]
    list_filter = ["verdict"]

    def get_queryset(self, request):
        return AccessReview.objects.visible_to(request.user).select_related("case", "user")
