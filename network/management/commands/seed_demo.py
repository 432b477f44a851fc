import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.test.utils import override_settings
from django.utils import timezone

from network import demo
from network.twofactor import demo_otp_secret

# The demo world asks agencies to take part in hundreds of controls, and each request is an
# e-mail. While seeding, those go to files here (one per batch) instead of the console, so
# `make run` ends with the logins rather than 26,000 lines of mail (README, "Two commands").
DEMO_MAIL_DIR = Path(settings.BASE_DIR) / "var" / "demo-mail"

# Five logins that show the main kinds of work, printed last by `make run`.
SUGGESTED = [
    ("av.coordinator", "plans joint controls, triages tips"),
    ("skv.staff", "answers requests, reports results"),
    ("polis.staff", "takes part in controls, refers victims"),
    ("av.analyst", "builds the Lägesbild"),
    ("skv.auditor", "reviews the log"),
]


class Command(BaseCommand):
    help = "Build the demo world (idempotent): agencies' users, contacts and a year of work."

    def add_arguments(self, parser: CommandParser) -> None:
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
        parser.add_argument(
            "--small",
            action="store_true",
            help="A tenth of the controls, every kind of row still there (fast; for tests).",
        )

    def handle(
        self,
        *args: Any,
        password: str,
        year: int,
        quiet: bool,
        people_only: bool,
        small: bool,
        **options: Any,
    ) -> str:
        verbose = options.get("verbosity", 1) > 1
        context = demo.DemoContext(
            password=password,
            year=year,
            log=self.stdout.write if verbose else _silent,
            small=small,
        )
        with _mail_to_files(), _quiet_loggers():
            demo.build(context, only=["people"] if people_only else None)
        users = demo.demo_users()
        if not quiet:
            self.stdout.write(f"Demo world ready: {len(users)} users (all listed in README.md).")
            self.stdout.write(f"E-mails sent while seeding are in {DEMO_MAIL_DIR}/.")
            self.stdout.write(f"Address: {settings.AKRIM_BASE_URL}/")
            self.stdout.write(f"Password for every demo user: {password}")
            if settings.AKRIM_DEMO_OTP:
                self.stdout.write(
                    "Two-factor code: .venv/bin/python manage.py demo_otp USERNAME "
                    f"(or add the key {demo_otp_secret()} to an authenticator app)"
                )
            self.stdout.write("Try these logins:")
            for username, what in SUGGESTED:
                self.stdout.write(f"  {username:<16} {what}")
        return ""


def _silent(line: str) -> None:
    pass


def _mail_to_files() -> override_settings:
    DEMO_MAIL_DIR.mkdir(parents=True, exist_ok=True)
    return override_settings(
        MAILERS={
            "default": {
                "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "OPTIONS": {"file_path": str(DEMO_MAIL_DIR)},
            }
        }
    )


class _quiet_loggers:
    """What a seeding run cannot act on is not shown: a line per in-process Celery task, the
    in-process broker having no host. Errors still are."""

    NAMES = ("kombu", "celery")

    def __enter__(self) -> None:
        self.levels = {name: logging.getLogger(name).level for name in self.NAMES}
        for name in self.NAMES:
            logging.getLogger(name).setLevel(logging.ERROR)

    def __exit__(self, *exc: object) -> None:
        for name, level in self.levels.items():
            logging.getLogger(name).setLevel(level)
