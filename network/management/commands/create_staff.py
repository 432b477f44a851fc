from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from network.models import Role
from network.services import create_staff


class Command(BaseCommand):
    help = "Create a staff account in an agency with one or more roles."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--agency", required=True, help="Agency code, e.g. skv")
        parser.add_argument(
            "--role",
            required=True,
            action="append",
            help=f"One of {', '.join(Role.values)}; repeat for several roles.",
        )
        parser.add_argument("--password", help="Without it the account needs a password reset.")
        parser.add_argument("--email", default="")
        parser.add_argument("--centre", help="Regional centre code, e.g. stockholm")

    def handle(
        self,
        *args: Any,
        username: str,
        agency: str,
        role: list[str],
        password: str | None,
        email: str,
        centre: str | None,
        **options: Any,
    ) -> str:
        try:
            user = create_staff(
                username=username,
                agency_code=agency,
                roles=role,
                password=password,
                email=email,
                centre_code=centre,
                actor=None,
            )
        except ValidationError as exc:
            messages = [
                f"{field}: {' '.join(errors)}" for field, errors in exc.message_dict.items()
            ]
            raise CommandError("; ".join(messages)) from None
        return f"Created {user.username} in {agency} as {', '.join(sorted(set(role)))}."
