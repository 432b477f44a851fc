"""The demo world's published history: the figures the network published for 2017–2022,
so the trend of a newly built report reaches back before akrim (docs/reports.md)."""

from network import demo
from reports import services
from reports.models import PublishedFigure

# Published (reference figures from the agencies' press pages), or, where no figure was
# found, a demo value that says so in its source.
HISTORY = [
    (2017, 161, "via.tt.se pressmeddelande 3289404"),
    (2018, 1130, "via.tt.se pressmeddelande 3289404"),
    (2019, 2000, "polisen.se, sammanfattning 2019 (nästan 2 000 kontroller)"),
    (2020, 1900, "Demo: påhittat värde"),
    (2021, 2300, "Demo: påhittat värde"),
    (2022, 2560, "Demo: påhittat värde"),
]


def seed_history(context: demo.DemoContext) -> None:
    if PublishedFigure.objects.exists():
        return
    for year, value, source in HISTORY:
        if year < context.year - 1:  # akrim's own data covers the demo's two years
            services.save_published_figure(
                year=year, key="inspections_total", value=value, source=source, actor=None
            )
    context.log("demo: published history 2017–2022")


demo.register(40, "published history", seed_history)
