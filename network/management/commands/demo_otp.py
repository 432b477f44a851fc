from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from network.models import User
from network.twofactor import current_code, is_demo_device, totp_device


class Command(BaseCommand):
    help = (
        "Print the current two-factor code of a demo user (demo mode only: DEBUG and "
        "AKRIM_DEMO_OTP). Real users read their code from their authenticator app."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> str:
        if not settings.AKRIM_DEMO_OTP:
            raise CommandError("Demo two-factor codes are off (AKRIM_DEMO_OTP is false).")
        user = User.objects.filter(username=username).first()
        device = totp_device(user) if user else None
        if device is None or not is_demo_device(device):
            raise CommandError(f"{username} has no demo authenticator (run seed_demo).")
        return current_code(device)
