from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.template import loader
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from network.files import ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES

if TYPE_CHECKING:
    _FormBase = forms.BaseForm
else:
    _FormBase = object


def plain_text(value: str) -> str:
    """Browsers send CRLF from a textarea; store what the API would store."""
    return value.replace("\r\n", "\n").strip()


class ServiceErrorsMixin(_FormBase):
    """Show a Django ValidationError raised by a service on this form.

    Forms check the shape of the input; services decide. A service's error is shown next to
    the field it names, so a rule lives in one place and the browser and the API give the
    same answer."""

    # A service's field name -> this form's field name, where they differ.
    service_fields: dict[str, str] = {}

    def add_service_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for field, messages in error.message_dict.items():
            name = self.service_fields.get(field, field)
            self.add_error(name if name in self.fields else None, messages)


class AttachmentForm(ServiceErrorsMixin, forms.Form):
    """A file for a case or an inspection. The checks themselves are `network.files`'s (the
    service runs them); the form only offers the allowed types to the file picker."""

    file = forms.FileField(
        label=_("file"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join(f".{ext}" for ext in sorted(ATTACHMENT_TYPES))}
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Formatted per request, in the person's language.
        self.fields["file"].help_text = gettext("Allowed: %(types)s. At most %(mb)s MB.") % {
            "types": ", ".join(sorted(ATTACHMENT_TYPES)),
            "mb": max(MAX_ATTACHMENT_BYTES // (1024 * 1024), 1),
        }


class LoginForm(AuthenticationForm):
    """The sign-in form, with the attributes password managers and tablets expect."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Wrong username or password. Both fields are case-sensitive. "
            "After several failed attempts, contact your agency's administrator."
        ),
    }


class SampleForm(forms.Form):
    n = forms.IntegerField(label=_("Number of events"), min_value=1, max_value=200, initial=20)


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's reset form, with the link mailed through the outbox (network/outbox.py), so
    the request answers the same whether or not the mail server is reachable right now."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        from network.outbox import enqueue_mail

        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        html = ""
        if html_email_template_name is not None:
            html = loader.render_to_string(html_email_template_name, context)
        enqueue_mail(
            kind="auth.password_reset",
            subject=subject,
            body=loader.render_to_string(email_template_name, context),
            html_body=html,
            from_email=from_email,
            to=[to_email],
        )


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's field `name`, declared as a ChoiceField, for setting its choices at run
    time (`form.fields` is typed as plain `Field`: docs/architecture.md, "Static checks")."""
    return cast(forms.ChoiceField, form.fields[name])


def model_choice_field(form: forms.BaseForm, name: str) -> "forms.ModelChoiceField[Any]":
    """The form's field `name`, declared as a ModelChoiceField, for setting its queryset."""
    return cast("forms.ModelChoiceField[Any]", form.fields[name])
