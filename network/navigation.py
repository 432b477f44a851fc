"""The main menu. Each app registers its entries; a person sees only what their roles may use.

Apps call `register(...)` from their AppConfig.ready, so `network` needs no upward import.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.functional import Promise

if TYPE_CHECKING:
    from network.http import AnyUser


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str | Promise
    url_name: str
    capability: str | None = None  # "app_label.codename"; None = every member
    order: int = 100


_ITEMS: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    _ITEMS[item.key] = item


def items_for(user: "AnyUser") -> list[dict[str, str | Promise]]:
    if not user.is_authenticated or user.active_membership is None:
        return []
    visible = [
        item
        for item in sorted(_ITEMS.values(), key=lambda i: (i.order, i.key))
        if item.capability is None or user.has_perm(item.capability)
    ]
    return [{"key": i.key, "label": i.label, "url": reverse(i.url_name)} for i in visible]
