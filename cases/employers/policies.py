"""Who may do what to an employer: the one rule (docs/access.md, "Employer").

An employer is registry data (organisation number, name, legal form) that every member
whose role carries the capability may read and register; what akrim knows *about* an
employer (its cases, inspections, tips) is protected by the policies of those models, and
the employer profile that gathers it records each read.
"""

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from cases.employers.models import Employer
from network.policies import DENIED, Access, Basis, Policy, allow, membership_of, register

if TYPE_CHECKING:
    from network.http import AnyUser


@register
class EmployerPolicy(Policy[Employer]):
    model = Employer
    actions = ("view",)

    def scope(
        self, user: "AnyUser", action: str = "view", queryset: QuerySet[Employer] | None = None
    ) -> QuerySet[Employer]:
        self._check(action)
        queryset = Employer.objects.all() if queryset is None else queryset
        if membership_of(user) is None or not user.has_perm("cases.work_on_employers"):
            return queryset.none()
        return queryset.all()

    def decide(self, user: "AnyUser", action: str, obj: Employer) -> Access:
        self._check(action)
        if membership_of(user) is None or not user.has_perm("cases.work_on_employers"):
            return DENIED
        return allow(Basis.ROLE)
