"""Who may do what to an employer: the one rule (docs/access.md, "Employer").

An employer is registry data (organisation number, name, legal form) that every member
whose role carries the capability may read and register; what akrim knows *about* an
employer (its cases, inspections, tips) is protected by the policies of those models, and
the employer profile that gathers it records each read.
"""

from cases.employers.models import Employer
from network.policies import DENIED, Access, Basis, Policy, allow, membership_of, register


@register
class EmployerPolicy(Policy):
    model = Employer
    actions = ("view",)

    def scope(self, user, action="view", queryset=None):
        self._check(action)
        queryset = Employer.objects.all() if queryset is None else queryset
        if membership_of(user) is None or not user.has_perm("cases.view_employer"):
            return queryset.none()
        return queryset.all()

    def decide(self, user, action, obj) -> Access:
        self._check(action)
        if membership_of(user) is None or not user.has_perm("cases.view_employer"):
            return DENIED
        return allow(Basis.ROLE)
