"""Authenticator (TOTP) secrets encrypted at rest.

django-otp keeps a TOTP secret as hex in `TOTPDevice.key`; anyone with a database dump or
backup could then produce every user's codes. akrim stores `enc1:` + AES-256-GCM(secret)
instead and decrypts only in `TOTPDevice.bin_key`, the one property django-otp reads the
secret through (installed by `install()` from NetworkConfig.ready). A pre_save receiver
encrypts a plain secret whenever a device is saved; migration 0007 encrypted the existing
ones.

Keys: `AKRIM_TOTP_KEY`, comma-separated; the first encrypts, every one decrypts. Unset, the
key is derived from `SECRET_KEY`. Each entry (and `SECRET_KEY`) is turned into a 256-bit key
with HKDF-SHA256. Rotation (docs/security.md): put the new key first and the old one after
it, run `manage.py rotate_totp_key`, then remove the old one.
"""

import base64
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models.signals import pre_save

PREFIX = "enc1:"
_CONTEXT = b"akrim totp secret"


def derive(secret: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_CONTEXT).derive(
        secret.encode()
    )


def keys() -> list[bytes]:
    configured = list(settings.AKRIM_TOTP_KEYS) or [settings.SECRET_KEY]
    return [derive(entry) for entry in configured]


def is_encrypted(stored: str) -> bool:
    return stored.startswith(PREFIX)


def encrypt(hex_secret: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(keys()[0]).encrypt(nonce, bytes.fromhex(hex_secret), _CONTEXT)
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


def decrypt(stored: str) -> str:
    """The secret as hex (a value stored before encryption is returned as it is)."""
    if not is_encrypted(stored):
        return stored
    raw = stored[len(PREFIX) :]
    blob = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    for key in keys():
        try:
            return AESGCM(key).decrypt(blob[:12], blob[12:], _CONTEXT).hex()
        except InvalidTag:
            continue
    raise ImproperlyConfigured(
        "An authenticator secret cannot be decrypted with AKRIM_TOTP_KEY (or SECRET_KEY): "
        "was a key removed before `manage.py rotate_totp_key` ran? docs/security.md."
    )


def _encrypt_before_save(
    sender: type[Any], instance: Any, raw: bool = False, **kwargs: Any
) -> None:
    # `instance` is django-otp's TOTPDevice (an untyped library).
    if instance.key and not is_encrypted(instance.key):
        instance.key = encrypt(instance.key)


def install() -> None:
    """Make django-otp read TOTP secrets through `decrypt` and store them encrypted."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.bin_key = property(lambda device: bytes.fromhex(decrypt(device.key)))
    pre_save.connect(_encrypt_before_save, sender=TOTPDevice, dispatch_uid="akrim_totp_encrypt")
