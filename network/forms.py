from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template import loader
from django.utils.translation import gettext_lazy as _


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
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
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
