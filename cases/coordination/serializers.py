"""Serializers validate input and shape output; services do the work."""

import copy
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cases.coordination.models import (
    AccessReview,
    Case,
    CaseAttachment,
    CaseGroupObjectPermission,
    CaseNote,
    CaseStatus,
    CaseUserObjectPermission,
    Sensitivity,
)
from cases.employers.serializers import OrgnrField
from cases.grants import SHAREABLE_LEGAL_BASES
from network.api.fields import SlugRelatedField
from network.api.serializers import NoteSerializerBase
from network.models import Agency, User


class CaseListSerializer(serializers.ListSerializer):
    """A page of cases as `CaseSerializer` shows each (the same keys, values and order),
    without DRF's per-field attribute walk: 50 cases cost 13 field look-ups each through
    `get_attribute` and `to_representation`, the larger part of a page's serialisation
    (docs/performance.md, "d: case list"). The datetimes and choices still go through
    CaseSerializer's own fields (built once per process, `_page_fields`), so their formats
    (time zone, `Z`, choice keys) cannot drift. The employer's and owner agency's values
    come from the columns `PAGE_VALUES` adds to the page's query where it did (the case
    list), else from the related rows. `tests/cases/test_case_list_output.py` compares
    both ways field by field."""

    # Annotations for the page's query: what is shown of the employer and the owner agency,
    # read as three columns instead of two related models per case (100 model instances
    # a page, docs/performance.md "d: the stack per request").
    PAGE_VALUES = {
        "page_employer_orgnr": "employer__orgnr",
        "page_employer_name": "employer__name",
        "page_owner_agency_code": "owner_agency__code",
    }

    def to_representation(self, data):
        created, updated, closed, status, sensitivity = _page_fields()
        rows = []
        for case in data.all() if hasattr(data, "all") else data:
            orgnr, name, agency = _related_values(case)
            rows.append(
                {
                    "id": int(case.id),
                    "reference": str(case.reference),
                    "title": str(case.title),
                    "summary": str(case.summary),
                    "employer": orgnr,
                    "employer_name": None if name is None else str(name),
                    "owner_agency": agency,
                    "status": None
                    if case.status is None
                    else status.to_representation(case.status),
                    "sensitivity": None
                    if case.sensitivity is None
                    else sensitivity.to_representation(case.sensitivity),
                    "version": int(case.version),
                    "created_at": created.to_representation(case.created_at),
                    "updated_at": updated.to_representation(case.updated_at),
                    "closed_at": None
                    if case.closed_at is None
                    else closed.to_representation(case.closed_at),
                }
            )
        return rows


def _related_values(case: Case) -> tuple[Any, Any, Any]:
    """The employer's org. no. and name and the owner agency's code shown for `case`."""
    values = case.__dict__
    if "page_owner_agency_code" in values:
        return (
            values["page_employer_orgnr"],
            values["page_employer_name"],
            values["page_owner_agency_code"],
        )
    employer, agency = case.employer, case.owner_agency
    return (
        employer.orgnr if employer else None,
        None if employer is None else employer.name,
        None if agency is None else agency.code,
    )


_FORMATTED = ("created_at", "updated_at", "closed_at", "status", "sensitivity")
_formatted: list[serializers.Field[Any, Any, Any, Any]] = []


def _page_fields() -> list[serializers.Field[Any, Any, Any, Any]]:
    """CaseSerializer's own fields for the datetimes and choices, for one page.

    A ModelSerializer builds its fields from the model on every instance (about a tenth of
    a page's Python, docs/performance.md "d: the stack per request"); these five depend on
    nothing of the request, so they are built once per process. The datetime fields ask
    for the current time zone once per page rather than once per value: each page gets
    shallow copies told that zone, which is what every value would have been given."""
    if not _formatted:
        fields = CaseSerializer().fields
        _formatted.extend(fields[name] for name in _FORMATTED)
    page = []
    for field in _formatted:
        if isinstance(field, serializers.DateTimeField):
            field = copy.copy(field)
            field.timezone = field.default_timezone()  # type: ignore[attr-defined]
        page.append(field)
    return page


class CaseSerializer(serializers.ModelSerializer):
    employer = OrgnrField(required=False)
    owner_agency: "SlugRelatedField[Agency]" = SlugRelatedField(slug_field="code", read_only=True)
    employer_name = serializers.CharField(
        source="employer.name", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "title",
            "summary",
            "employer",
            "employer_name",
            "owner_agency",
            "status",
            "sensitivity",
            "version",
            "created_at",
            "updated_at",
            "closed_at",
        ]
        read_only_fields = [
            "reference",
            "status",
            "version",
            "created_at",
            "updated_at",
            "closed_at",
        ]
        extra_kwargs = {"title": {"max_length": 200}, "summary": {"max_length": 20000}}
        list_serializer_class = CaseListSerializer


class CaseUpdateSerializer(serializers.Serializer):
    """A PATCH: the fields to change plus the `version` the client read."""

    version = serializers.IntegerField(min_value=1)
    title = serializers.CharField(max_length=200, required=False)
    summary = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    employer = OrgnrField(required=False)
    status = serializers.ChoiceField(choices=CaseStatus.choices, required=False)
    sensitivity = serializers.ChoiceField(choices=Sensitivity.choices, required=False)


class ShareRequestSerializer(serializers.Serializer):
    agency = SlugRelatedField(slug_field="code", queryset=Agency.objects.filter(active=True))
    access = serializers.ChoiceField(choices=[("view", _("View")), ("edit", _("Edit"))])
    legal_basis = serializers.ChoiceField(choices=SHAREABLE_LEGAL_BASES)
    reason = serializers.CharField(max_length=4000)
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


# What a share and a personal grant show after their holder (agency or user).
GRANT_FIELDS = [
    "access",
    "legal_basis",
    "reason",
    "expires_at",
    "active",
    "granted_by",
    "granted_at",
]


# One grant row of a case, to an agency (share) or a person (grant): the same record of
# access, legal basis and time either way (cases/grants.py). No docstring: the API
# documentation would give it to every subclass that has none.
class _GrantRowSerializer(serializers.ModelSerializer):
    access = serializers.SerializerMethodField()
    granted_by = serializers.CharField(
        source="granted_by.username", read_only=True, default=None, allow_null=True
    )
    active = serializers.BooleanField(source="is_active", read_only=True)

    def get_access(self, instance) -> str:
        return "edit" if getattr(instance, "can_edit", False) else "view"


class ShareSerializer(_GrantRowSerializer):
    """A share of a case with an agency; `id` is what DELETE .../shares/{id}/ takes."""

    agency = serializers.CharField(source="group.agency.code", read_only=True)

    class Meta:
        model = CaseGroupObjectPermission
        fields = ["id", "agency", *GRANT_FIELDS]
        read_only_fields = fields


class GrantRequestSerializer(ShareRequestSerializer):
    """A personal grant: like a share, but to one named user."""

    agency = None  # type: ignore[assignment]  # DRF: the inherited field is dropped here
    user = SlugRelatedField(slug_field="username", queryset=User.objects.filter(is_active=True))


class GrantSerializer(_GrantRowSerializer):
    user = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = CaseUserObjectPermission
        fields = ["id", "user", *GRANT_FIELDS]
        read_only_fields = fields


class BreakTheGlassSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=20)
    justification = serializers.CharField(max_length=4000)


class BreakTheGlassAnswerSerializer(serializers.Serializer):
    """The same for a granted and an unknown reference (docs/security.md)."""

    reference = serializers.CharField()
    detail = serializers.CharField()


class NoteSerializer(NoteSerializerBase[CaseNote]):
    class Meta(NoteSerializerBase.Meta):
        model = CaseNote


class AttachmentSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True)
    file = serializers.FileField(write_only=True)

    class Meta:
        model = CaseAttachment
        fields = ["id", "file", "filename", "content_type", "size", "uploaded_by", "uploaded_at"]
        read_only_fields = ["id", "filename", "content_type", "size", "uploaded_by", "uploaded_at"]


class AccessReviewSerializer(serializers.ModelSerializer):
    case = serializers.CharField(source="case.reference", read_only=True)
    user = serializers.CharField(source="user.username", read_only=True)
    reviewed_by = serializers.CharField(
        source="reviewed_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = AccessReview
        fields = [
            "id",
            "case",
            "user",
            "justification",
            "requested_at",
            "expires_at",
            "verdict",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
        ]
        read_only_fields = fields


class ReviewVerdictSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(
        choices=[AccessReview.Verdict.JUSTIFIED, AccessReview.Verdict.UNJUSTIFIED]
    )
    comment = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
