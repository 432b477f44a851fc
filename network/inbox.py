"""The start page's task inbox: what is waiting for the signed-in person and their agency.

Each app knows its own work (a participation request lives in `inspections`, a tip in
`cases`, a finished build in `reports`), and the layering forbids `network` to import any
of them. So each app contributes a *provider* in a module `<app>/inbox.py`, registered with
`@provider(order=...)`, and `network` finds those modules the way Django's admin finds
`admin.py` files: `autodiscover_modules("inbox")`, called once from `NetworkConfig.ready`
(docs/architecture.md, "The start page"). No app's `apps.py` needs a line for it, and
`network` never names an upper app.

A provider takes `(user, today)` and returns `InboxItem`s. Its counts must come from the
model's `visible_to(user)` queryset only, so the start page never counts something the
person could not open (tests/network/test_inbox.py checks each item against out-of-scope
objects). An item with a count of 0 is not returned: an empty inbox is a short page.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from network.models import AuditEvent, User

if TYPE_CHECKING:
    from network.http import AnyUser


@dataclass(frozen=True)
class InboxLink:
    """One object behind an item, to go straight to it (at most a few per item)."""

    label: str
    url: str


@dataclass(frozen=True)
class InboxItem:
    key: str  # stable, for tests and the page's ids: "assignments_to_answer"
    text: str  # a whole Swedish sentence with the count, e.g. "2 deltagandeförfrågningar ..."
    count: int
    url: str  # where the whole list of these things is
    urgent: bool = False  # overdue, or the law's clock is running
    links: list[InboxLink] = field(default_factory=list)
    more: int = 0  # objects beyond `links` (the list at `url` shows them all)


Provider = Callable[[User, date], list[InboxItem]]

_PROVIDERS: dict[str, tuple[int, Provider]] = {}

# How many objects an item names before it says "and N more".
SHOWN = 5


def provider(order: int = 100) -> Callable[[Provider], Provider]:
    """Register a provider; `order` places its items on the page (smaller first)."""

    def decorate(function: Provider) -> Provider:
        _PROVIDERS[f"{function.__module__}.{function.__qualname__}"] = (order, function)
        return function

    return decorate


def discover() -> None:
    """Import every installed app's `inbox` module (each registers its providers)."""
    autodiscover_modules("inbox")


def items_for(user: "AnyUser", today: date | None = None) -> list[InboxItem]:
    if not user.is_authenticated or user.active_membership is None:
        return []
    today = today or timezone.localdate()
    items: list[InboxItem] = []
    for _order, function in sorted(_PROVIDERS.values(), key=lambda entry: entry[0]):
        items.extend(item for item in function(user, today) if item.count)
    return items


def item(
    key: str,
    text: str,
    count: int,
    url: str,
    *,
    urgent: bool = False,
    rows: Iterable[Any] = (),
    label: Callable[[Any], object] | None = None,
    link: Callable[[Any], str] | None = None,
) -> InboxItem:
    """An item whose first few objects are linked; `rows` is a sliced queryset (with the
    `label` and `link` of a row)."""
    links = (
        [InboxLink(str(label(row)), link(row)) for row in list(rows)[:SHOWN]]
        if label is not None and link is not None
        else []
    )
    return InboxItem(
        key=key,
        text=text,
        count=count,
        url=url,
        urgent=urgent,
        links=links,
        more=max(0, count - len(links)),
    )


# --- network's own items ------------------------------------------------------------------

# A log review is periodic: after this many days without a sample, the inbox asks for one.
SAMPLE_EVERY_DAYS = 30


@provider(order=90)
def audit_samples(user: User, today: date) -> list[InboxItem]:
    """Auditors: events of the latest sample still to review, or a reminder to draw one."""
    if not user.has_perm("network.view_auditevent"):
        return []
    events = AuditEvent.objects.visible_to(user)
    since = timezone.now() - timedelta(days=SAMPLE_EVERY_DAYS)
    latest = events.filter(action="audit.sampled", at__gte=since).order_by("-at", "-id").first()
    if latest is None:
        return [
            InboxItem(
                key="audit_sample_due",
                text=_("No sample of the log has been reviewed in the last %(days)s days.")
                % {"days": SAMPLE_EVERY_DAYS},
                count=1,
                url=reverse("network:audit_sample"),
            )
        ]
    ids = [pk for pk in (latest.changes or {}).get("ids", []) if isinstance(pk, int)]
    waiting = events.filter(pk__in=ids, review__isnull=True).count()
    text = ngettext(
        "%(n)s event in the latest log sample is waiting for review.",
        "%(n)s events in the latest log sample are waiting for review.",
        waiting,
    ) % {"n": waiting}
    url = f"{reverse('network:audit_sample')}?sample={latest.pk}"
    return [InboxItem(key="audit_sample_events", text=text, count=waiting, url=url)]
