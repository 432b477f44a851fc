"""Renderers shared by the API of every app."""

from collections.abc import Mapping
from typing import Any

from rest_framework.renderers import BaseRenderer


class CSVRenderer(BaseRenderer):
    """Lets an API action answer `text/csv`. The action builds the text itself (through
    network/exports.py), so this only passes it on."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> str:
        return data if isinstance(data, str) else str(data)
