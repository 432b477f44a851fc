"""Server-rendered SVG charts for the report page and the PDF.

Plain SVG strings built from the published (suppressed) figures: no JavaScript, nothing from
outside, identical in the browser and in WeasyPrint. A hidden cell is drawn as no bar with
its label marked "..", the Swedish official-statistics sign for a suppressed value.
"""

from xml.sax.saxutils import escape

BAR = "#0b4f6c"
HIDDEN = ".."


def bar_chart(items: list[tuple[str, int | None]], *, title: str, width: int = 640) -> str:
    """Horizontal bars, one row per (label, value)."""
    row, label_width, top = 22, 190, 30
    height = top + row * max(len(items), 1) + 10
    known = [v for _label, v in items if v is not None]
    scale = (width - label_width - 60) / max(known or [1])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" class="chart">',
        f'<text x="0" y="18" font-size="14" font-weight="bold">{escape(title)}</text>',
    ]
    for index, (label, value) in enumerate(items):
        y = top + index * row
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 15}" font-size="12" text-anchor="end">'
            f"{escape(str(label))}</text>"
        )
        if value is None:
            parts.append(f'<text x="{label_width + 4}" y="{y + 15}" font-size="12">{HIDDEN}</text>')
            continue
        bar = max(value * scale, 1 if value else 0)
        parts.append(
            f'<rect x="{label_width}" y="{y + 3}" width="{bar:.1f}" height="{row - 8}" '
            f'fill="{BAR}"/>'
        )
        parts.append(
            f'<text x="{label_width + bar + 4:.1f}" y="{y + 15}" font-size="12">{value}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def line_chart(points: list[tuple[str, int | None]], *, title: str, width: int = 640) -> str:
    """A line over the years; a hidden year breaks the line."""
    height, left, bottom, top = 220, 50, 190, 40
    known = [v for _label, v in points if v is not None]
    top_value = max(known or [1]) or 1
    step = (width - left - 30) / max(len(points) - 1, 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" class="chart">',
        f'<text x="0" y="18" font-size="14" font-weight="bold">{escape(title)}</text>',
        f'<line x1="{left}" y1="{bottom}" x2="{width - 20}" y2="{bottom}" stroke="#4a5560"/>',
    ]
    segment: list[str] = []
    for index, (label, value) in enumerate(points):
        x = left + index * step
        parts.append(
            f'<text x="{x:.1f}" y="{bottom + 18}" font-size="12" text-anchor="middle">'
            f"{escape(str(label))}</text>"
        )
        if value is None:
            if len(segment) > 1:
                parts.append(_polyline(segment))
            segment = []
            parts.append(f'<text x="{x:.1f}" y="{bottom - 6}" font-size="12">{HIDDEN}</text>')
            continue
        y = bottom - (value / top_value) * (bottom - top)
        segment.append(f"{x:.1f},{y:.1f}")
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{BAR}"/>')
        parts.append(
            f'<text x="{x:.1f}" y="{y - 8:.1f}" font-size="12" text-anchor="middle">{value}</text>'
        )
    if len(segment) > 1:
        parts.append(_polyline(segment))
    parts.append("</svg>")
    return "".join(parts)


def _polyline(points: list[str]) -> str:
    return f'<polyline points="{" ".join(points)}" fill="none" stroke="{BAR}" stroke-width="2"/>'
