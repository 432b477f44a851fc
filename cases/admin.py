"""Cases in the Django admin: read-only and scoped by visible_to like every other view.

Writes go through the case pages and the API (services), which audit them; the admin is
for looking things up, so it never offers add, change or delete."""

from django.contrib import admin

from cases.coordination.models import AccessReview, Case
from cases.employers.models import Employer
from network.admin import NotFoundOutsideScope, ReadOnlyAdmin
from network.policies import record_read, require


@admin.register(Employer)
class EmployerAdmin(ReadOnlyAdmin):
    list_display = ["orgnr", "name", "legal_form", "is_sole_trader", "city"]
    search_fields = ["orgnr", "name"]

    def get_queryset(self, request):
        return Employer.objects.visible_to(request.user)

    def has_view_permission(self, request, obj=None):
        """Django's admin asks for `cases.view_employer` without an object; the
        role's capability is `cases.work_on_employers` (docs/access.md, "django-guardian"),
        and `get_queryset` keeps the admin inside the employer's scope."""
        return request.user.has_perm("cases.work_on_employers")


@admin.register(Case)
class CaseAdmin(NotFoundOutsideScope, ReadOnlyAdmin):
    list_display = ["reference", "title", "owner_agency", "status", "updated_at"]
    list_filter = ["status", "owner_agency"]
    search_fields = ["reference", "title"]
    list_select_related = ["owner_agency", "employer"]

    def get_queryset(self, request):
        return Case.objects.visible_to(request.user).select_related("owner_agency", "employer")

    def has_view_permission(self, request, obj=None):
        """Django's admin asks for `cases.view_case` without an object; the role's capability
        to work with cases is `cases.work_on_cases` (docs/access.md, "django-guardian"), and
        `get_queryset` keeps the admin inside the case's scope."""
        return request.user.has_perm("cases.work_on_cases")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The change page shows the case's content: a read, recorded with its basis like
        every other page that shows a case (docs/access.md, "Reads are recorded"). The
        changelist shows summaries (reference, title, status) and records none."""
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200:
            case = self.get_object(request, object_id)
            if case is not None:
                access = require(request.user, "view", case)
                record_read(request.user, case, access, route="admin:cases_case_change")
        return response


@admin.register(AccessReview)
class AccessReviewAdmin(NotFoundOutsideScope, ReadOnlyAdmin):
    list_display = ["requested_at", "user", "case", "verdict", "reviewed_by"]
    list_filter = ["verdict"]

    def get_queryset(self, request):
        return AccessReview.objects.visible_to(request.user).select_related("case", "user")

    def has_view_permission(self, request, obj=None):
        """Django's admin asks for `cases.view_accessreview` without an object; the
        role's capability is `cases.work_on_access_reviews` (docs/access.md,
        "django-guardian"), and `get_queryset` keeps the admin inside the review's scope."""
        return request.user.has_perm("cases.work_on_access_reviews")
