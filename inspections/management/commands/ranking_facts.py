"""Bring the risk ranking's facts up to date (inspections/facts.py).

manage.py ranking_facts              # rebuild the stale ones (what the minute task does)
manage.py ranking_facts --rebuild    # rebuild every inspection's (after a bulk load)
"""

import time

from django.core.management.base import BaseCommand

from inspections import facts


class Command(BaseCommand):
    help = "Rebuild the risk ranking's facts: the stale ones, or all with --rebuild."

    def add_arguments(self, parser):
        parser.add_argument(
            "--rebuild", action="store_true", help="rebuild every inspection's facts"
        )

    def handle(self, *args, rebuild=False, **options):
        started = time.monotonic()
        if rebuild:
            rows = facts.rebuild()
            what = f"{rows} fact rows for every inspection"
        else:
            what = f"{facts.refresh()} stale inspections"
        self.stdout.write(f"Rebuilt {what} in {time.monotonic() - started:.1f} s.")
