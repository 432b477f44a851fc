from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from network import demo
from network.twofactor import demo_otp_secret


class Command(BaseCommand):
    help = "Build the demo world (idempotent): agencies' users, contacts and a year of work."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=settings.AKRIM_DEMO_PASSWORD,
            help="Password for every demo user (default: AKRIM_DEMO_PASSWORD).",
        )
        parser.add_argument("--year", type=int, default=timezone.localdate().year - 1)
        parser.add_argument("--quiet", action="store_true", help="Do not print the logins.")
        parser.add_argument(
            "--people-only",
            action="store_true",
            help="Only the users and contacts (fast; for tests that bring their own data).",
        )

    def handle(self, *args, password, year, quiet, people_only, **options):
        context = demo.DemoContext(password=password, year=year, log=self.stdout.write)
        demo.build(context, only=["people"] if people_only else None)
        users = demo.demo_users()
        if not quiet:
            self.stdout.write("")
            self.stdout.write(f"Demo logins (password: {password}):")
            for username, role in users:
                self.stdout.write(f"  {username:<20} {role}")
            if settings.AKRIM_DEMO_OTP:
                self.stdout.write(
                    "Two-factor codes: add the demo key "
                    f"{demo_otp_secret()} to an authenticator app, or run "
                    "`manage.py demo_otp USERNAME`."
                )
        return f"Demo world ready: {len(users)} users."
