from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from network.lockout import unlock_login


class Command(BaseCommand):
    help = (
        "Unlock a login locked after repeated failures: by username, by address, or both "
        "(audited as auth.unlocked)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", nargs="?", default="")
        parser.add_argument("--ip", default="", help="the client address to unlock")

    def handle(self, *args: Any, username: str, ip: str, **options: Any) -> str:
        if not username and not ip:
            raise CommandError("Name a username, an address (--ip), or both.")
        removed = unlock_login(username=username, ip_address=ip, actor=None)
        return f"Unlocked {username or ip}: {removed} failed login(s) cleared."
