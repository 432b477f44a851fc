"""The HTML view base every protected page builds on (the twin of network/api/base.py).

`get_queryset()` starts at `visible_to(user)`, so Django's generic detail views answer 404 for
an object outside the user's scope; a missing role capability answers 403.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from network import files
from network.forms import AttachmentForm, ServiceErrorsMixin

if TYPE_CHECKING:
    from django.views.generic import DetailView
    from django_stubs_ext import StrOrPromise

    _DetailView = DetailView[Any]
else:
    _DetailView = object


class CapabilityRequiredMixin(LoginRequiredMixin):
    """403 unless the signed-in user's roles carry `required_capability`."""

    required_capability: str | None = None
    request: HttpRequest  # set by View.setup()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if self.required_capability and not request.user.has_perm(self.required_capability):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ScopedQuerysetMixin(CapabilityRequiredMixin):
    # A model whose manager has `visible_to` (network/querysets.py); managers are built at
    # runtime, so the type checker cannot name that manager here.
    scoped_model: Any = None
    select_related: tuple[str, ...] = ()

    def get_queryset(self) -> models.QuerySet[Any]:
        queryset: models.QuerySet[Any] = self.scoped_model.objects.visible_to(self.request.user)
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        return queryset


class RecordedReadMixin:
    """A page that shows one protected record (mix in before its DetailView): every render
    records a read with the basis the policy returned (network.policies.record_read) —
    the GET, a failed form's 400 re-render of the same page, a 409 after a stale save —
    so no way of showing the record can skip the audit trail (docs/access.md). A view whose
    action already recorded this read with more detail (a reveal of identity) sets
    `read_recorded`."""

    read_recorded = False

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> Any:
        from network.policies import record_read, require

        if self.read_recorded:
            return super().render_to_response(context, **kwargs)  # type: ignore[misc]
        user = self.request.user  # type: ignore[attr-defined]
        match = self.request.resolver_match  # type: ignore[attr-defined]
        record_read(
            user,
            self.object,  # type: ignore[attr-defined]
            require(user, "view", self.object),  # type: ignore[attr-defined]
            route=match.view_name if match else "",
        )
        return super().render_to_response(context, **kwargs)  # type: ignore[misc]


class ObjectActionMixin(_DetailView):
    """The POST endpoints of a detail page (mix in before the page's DetailView).

    The object is found in the user's scope (404), the action's capability is checked (403),
    then `act()` runs. A refused form re-renders the page with the errors next to the fields
    (400); success redirects back to the page with a message (POST-redirect-GET)."""

    http_method_names = ["post"]
    action_capability: str | None = None
    redirect_url_name = ""  # e.g. "cases:case_detail"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        if self.action_capability and not request.user.has_perm(self.action_capability):
            raise PermissionDenied
        return self.act(request, self.object)

    def act(self, request: HttpRequest, obj: Any) -> HttpResponse:
        raise NotImplementedError(f"{type(self).__name__} must define act()")

    def rerender(self, status: int, **context: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(**context), status=status)

    def done(self, message: "StrOrPromise", anchor: str = "") -> HttpResponse:
        messages.success(self.request, message)
        return redirect(reverse(self.redirect_url_name, args=[self.object.pk]) + anchor)

    def run(
        self,
        form: ServiceErrorsMixin,
        form_name: str,
        service: Callable[..., object],
        message: "StrOrPromise | Callable[[Any], StrOrPromise]",
        anchor: str = "",
        **kwargs: Any,
    ) -> HttpResponse:
        """Validate `form`, call `service(object, actor=..., **cleaned_data, **kwargs)`, and
        answer: 400 with the errors, or a redirect with `message` (a text, or a function of
        the valid form)."""
        if not form.is_valid():
            return self.rerender(400, **{form_name: form})
        try:
            service(self.object, actor=self.request.user, **form.cleaned_data, **kwargs)
        except ValidationError as error:
            form.add_service_errors(error)
            return self.rerender(400, **{form_name: form})
        return self.done(message(form) if callable(message) else message, anchor)


class AttachmentUploadMixin(ObjectActionMixin):
    """The attachment form of a detail page (mix in before the app's `ObjectActionMixin`
    view): every app stores files the same way, through its own service, which checks the
    actor's right on the parent and audits (`network.files.attach`)."""

    # The app's service, `add_attachment(parent, *, upload, actor)`, as a staticmethod.
    add_attachment: Callable[..., models.Model]

    def act(self, request: HttpRequest, obj: Any) -> HttpResponse:
        form = AttachmentForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.rerender(400, attachment_form=form)
        try:
            attachment = self.add_attachment(
                obj, upload=form.cleaned_data["file"], actor=request.user
            )
        except ValidationError as error:
            form.add_service_errors(error)
            return self.rerender(400, attachment_form=form)
        return self.done(
            _("%(filename)s is attached.") % {"filename": getattr(attachment, "filename", "")},
            "#attachments",
        )


class AttachmentDownloadMixin(ScopedQuerysetMixin):
    """A file of an object in the user's scope (`get_queryset`), served only after the app's
    service has audited the download with the basis the user sees the object on."""

    # The app's service, `record_attachment_download(attachment, *, actor)`, as a staticmethod.
    record_download: Callable[..., object]

    def get(self, request: HttpRequest, pk: int, attachment_id: int) -> HttpResponseBase:
        parent = get_object_or_404(self.get_queryset(), pk=pk)
        attachment = get_object_or_404(parent.attachments, pk=attachment_id)
        self.record_download(attachment, actor=request.user)
        return files.download(attachment)
