"""Messages from Django itself that its Swedish catalogue lacks (Django 6.1).

Listing them here lets `makemessages` put them in akrim's catalogue, which takes
precedence over Django's, so the form's empty choice reads Swedish too."""

from django.utils.translation import gettext_noop

DJANGO_MESSAGES = [gettext_noop("- Select an option -")]
