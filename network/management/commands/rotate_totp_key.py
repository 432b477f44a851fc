from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from network import totp_keys
from network.services import record_event


class Command(BaseCommand):
    help = (
        "Re-encrypt every authenticator secret with the first key of AKRIM_TOTP_KEY (after "
        "putting a new key first); audited as auth.totp_key_rotated."
    )

    def handle(self, *args: Any, **options: Any) -> str:
        with transaction.atomic():
            devices = TOTPDevice.objects.select_for_update().only("pk", "key")
            count = 0
            for device in devices:
                plain = totp_keys.decrypt(device.key)
                # update(), not save(): no signal, and no other field is touched.
                TOTPDevice.objects.filter(pk=device.pk).update(key=totp_keys.encrypt(plain))
                count += 1
            record_event("auth.totp_key_rotated", actor=None, purpose=f"{count} authenticators")
        return f"Re-encrypted {count} authenticator secret(s) with the first AKRIM_TOTP_KEY."
