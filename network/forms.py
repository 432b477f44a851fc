from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.db.models.fields import BLANK_CHOICE_LABEL
from django.template import loader
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from network.files import ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from network.models import User

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


class LegalBasisForm(ServiceErrorsMixin, forms.Form):
    """Why access is given: the legal basis, the reason and an optional end, as a share or a
    grant of a case or a referral records them. Each form names the bases it offers and its
    help texts; the service stays the authority on the rules (cases/grants.py)."""

    legal_bases: "Sequence[tuple[str, StrOrPromise]]" = ()
    min_reason = 10
    reason_help: "StrOrPromise" = ""
    expires_help: "StrOrPromise" = ""

    legal_basis = forms.ChoiceField(label=_("legal basis"))
    reason = forms.CharField(
        label=_("reason"),
        max_length=4000,
        error_messages={"required": _("Describe the reason for sharing (at least 10 characters).")},
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    expires_at = forms.DateTimeField(
        label=_("ends"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "legal_basis").choices = [("", BLANK_CHOICE_LABEL), *self.legal_bases]
        self.fields["reason"].help_text = self.reason_help
        self.fields["reason"].widget.attrs["minlength"] = self.min_reason
        self.fields["expires_at"].help_text = self.expires_help

    def clean_reason(self) -> str:
        # Checked here too (same limit, same words as the service) so that every error of
        # the form shows at once; the service stays the authority on the finer rules.
        reason = plain_text(self.cleaned_data["reason"])
        if len(reason) < self.min_reason:
            raise ValidationError(self.fields["reason"].error_messages["required"])
        return reason


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


# --- SNI codes (network/sni.py) -----------------------------------------------------------


class SniPickerInput(forms.TextInput):
    """A text input with a list of SCB's industries (`<datalist>`): a person types a few
    letters of the industry or digits of the code and picks "41.200 Byggande av bostadshus
    och andra byggnader". Works in every browser without a script; the server reads the
    code at the start of what was sent."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"autocomplete": "off", "spellcheck": "false", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        from network.sni import picker_label

        return picker_label(value) if value else None

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs["list"] = f"{widget_attrs.get('id', name)}_sni"
        return context

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        from django.utils.html import format_html, format_html_join

        from network.sni import code_choices, picker_label

        html = super().render(name, value, attrs, renderer)
        list_id = f"{(attrs or {}).get('id', name)}_sni"
        options = format_html_join(
            "", '<option value="{}"></option>', ((picker_label(c),) for _s, c, _t in code_choices())
        )
        return format_html('{}<datalist id="{}">{}</datalist>', html, list_id, options)


class SniCodeField(forms.CharField):
    """One SNI 2007 code chosen from the reference list; cleans to the five-digit form
    people know ('41.200'), or '' when left empty."""

    widget = SniPickerInput
    default_error_messages = {
        "invalid": _("Choose an industry from the list (SNI 2007), e.g. by typing “bygg”.")
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 300)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        from network.sni import known, written

        text = super().to_python(value)
        if not text:
            return ""
        code = known(text.split()[0])
        if not code:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return written(code)


class SniCodesField(forms.MultipleChoiceField):
    """Several SNI codes (divisions, groups, classes) chosen from SCB's titles, grouped by
    section; cleans to SCB's own codes ('41', '81.2'), which match as prefixes. A small
    script (static/js/sni-filter.js) adds a search box above the list."""

    def __init__(self, **kwargs: Any) -> None:
        attrs = {
            "class": "sni-codes",
            "size": "8",
            "data-search-label": _("Search for an industry"),
            "data-found-text": _("Industries shown: %s"),
        }
        kwargs.setdefault("widget", forms.SelectMultiple(attrs=attrs))
        super().__init__(choices=self._grouped, **kwargs)
        self.error_messages["invalid_choice"] = _(
            "%(value)s is not in the list of industries (SNI 2007)."
        )

    @staticmethod
    def _grouped() -> list[tuple[str, list[tuple[str, str]]]]:
        from network.sni import code_choices

        groups: dict[str, list[tuple[str, str]]] = {}
        for section, code, title in code_choices():
            # Finer codes are indented under their division ("– Byggande av bostadshus").
            depth = len(code.partition(".")[2].rstrip("0")) if "." in code else 0
            groups.setdefault(section, []).append((code, "– " * depth + title))
        return list(groups.items())

    def prepare_value(self, value: Any) -> list[str]:
        from network.sni import known

        return [known(v) or v for v in (value or [])]

    def to_python(self, value: Any) -> list[str]:
        from network.sni import known

        return [known(v) or v for v in super().to_python(value)]


def dress_audit_filter_form(form: forms.Form, *, user: "User") -> None:
    """Give the shared AuditEventFilterSet's free-text filters the selects a person expects:
    actions as sentences, objects by kind, users by name. The values sent are the codes the
    API takes, so the FilterSet stays shared; the object id stays a hidden filter that links
    from an object's page may set."""
    from django.utils.text import capfirst

    from network import audit_text
    from network.models import User
    from network.names import swedish_sort_key

    def select(pairs: Iterable[tuple[str, str]]) -> forms.Select:
        ordered = sorted(pairs, key=lambda pair: swedish_sort_key(pair[1]))
        return forms.Select(choices=[("", _("All")), *ordered])

    form.fields["action"].widget = select(
        (code, capfirst(str(text))) for code, text in audit_text.ACTIONS.items()
    )
    form.fields["object_type"].label = _("about")
    form.fields["object_type"].widget = select(
        (label, capfirst(str(name))) for label, (name, _url, _field) in audit_text.OBJECTS.items()
    )
    people = User.objects.filter(membership__agency=user.agency).order_by("username")
    form.fields["actor"].widget = select(
        (person.username, person.get_full_name() or person.username) for person in people
    )
    form.fields["object_id"].widget = forms.HiddenInput()
