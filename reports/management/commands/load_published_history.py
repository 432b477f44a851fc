import csv

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from reports import services


class Command(BaseCommand):
    help = (
        "Load the network's published figures for years before akrim from a CSV file with "
        "the columns year, key, value, source (UTF-8; a figure already there is corrected)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        with open(path, encoding="utf-8-sig", newline="") as handle:
            sample = handle.read(2048)
            handle.seek(0)
            dialect = csv.Sniffer().sniff(sample, delimiters=",;")
            rows = list(csv.DictReader(handle, dialect=dialect))
        try:
            count = services.load_published_history(rows)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(f"{count} published figures loaded.")
