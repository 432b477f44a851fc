"""A referral's nationality becomes a country from ISO 3166-1 (django-countries).

The old field was free text cut to two characters, so what it holds may be a code ("UA") or
the start of a typed name ("Uk" of "Ukraina"). Each value is read by
`network.names.country_from_text`: a value that names exactly one country becomes its code;
any other value is emptied and kept, word for word, in a note on the referral's timeline
(by the person who made the referral, for their agency), so nothing is lost and someone who
works the referral can read what was recorded. Going back leaves codes and notes as they are.
"""

import django_countries.fields
from django.db import migrations

NOTE = (
    "Medborgarskap som registrerades före landslistan: ”{value}”. Det går inte att säga "
    "säkert vilket land det avser, så fältet har lämnats tomt."
)


def to_country_codes(apps, schema_editor):
    from network.names import country_from_text

    VictimReferral = apps.get_model("cases", "VictimReferral")
    ReferralNote = apps.get_model("cases", "ReferralNote")
    rows = VictimReferral.objects.exclude(nationality="").values_list(
        "pk", "nationality", "referred_by_id", "referring_agency_id"
    )
    for pk, value, author_id, agency_id in rows.iterator():
        code = country_from_text(value)
        if code == value:
            continue
        if not code:
            ReferralNote.objects.create(
                referral_id=pk,
                author_id=author_id,
                agency_id=agency_id,
                text=NOTE.format(value=value),
            )
        VictimReferral.objects.filter(pk=pk).update(nationality=code)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_perf_grant_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="victimreferral",
            name="nationality",
            field=django_countries.fields.CountryField(
                blank=True, max_length=2, verbose_name="nationality"
            ),
        ),
        migrations.RunPython(to_country_codes, migrations.RunPython.noop, elidable=True),
    ]
