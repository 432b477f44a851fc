"""Encrypt the authenticator secrets already stored in clear (network.totp_keys); every
device saved from now on is encrypted by a pre_save receiver."""

from django.db import migrations

from network import totp_keys


def encrypt_existing(apps, schema_editor):
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    for pk, key in TOTPDevice.objects.values_list("pk", "key"):
        if key and not totp_keys.is_encrypted(key):
            TOTPDevice.objects.filter(pk=pk).update(key=totp_keys.encrypt(key))


def decrypt_existing(apps, schema_editor):
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    for pk, key in TOTPDevice.objects.values_list("pk", "key"):
        if totp_keys.is_encrypted(key):
            TOTPDevice.objects.filter(pk=pk).update(key=totp_keys.decrypt(key))


class Migration(migrations.Migration):
    dependencies = [
        ("network", "0006_auditevent_no_truncate"),
        ("otp_totp", "0003_add_timestamps"),
    ]
    operations = [migrations.RunPython(encrypt_existing, decrypt_existing)]
