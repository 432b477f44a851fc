from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from reports import services
from reports.models import NETWORK, BuildStatus, ReportBuild


class Command(BaseCommand):
    help = "Build the Lägesbild for a year, in this process, as the worker would."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--agency", help="An agency code: that agency's own data only.")

    def handle(self, *args, year, agency, **options):
        scope = agency or NETWORK
        try:
            build, _created = services.request_build(
                year=year, scope=scope, actor=None, enqueue=False
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        if services.claim_build(build.pk):
            try:
                services.run_build(build.pk)
            except Exception as exc:
                services.fail_build(build.pk, f"{type(exc).__name__}: {exc}")
                raise CommandError(f"The build failed: {exc}") from exc
        build = ReportBuild.objects.get(pk=build.pk)
        if build.status != BuildStatus.READY:
            raise CommandError(f"Build {build.pk} is {build.status}: {build.error}")
        return f"Lägesbild {year} ({scope}) ready: build {build.pk}."
