"""The spreadsheet import in the browser: send a file, follow the worker, read the outcome.

The POST stores the file and queues the job (inspections/imports.py), then redirects to the
job's page, which polls the job's API row while it runs (static/js/report-progress.js) and
shows every row and every error when it is done. A correct dry run offers to import the
same file without sending it again."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from inspections.choices import ParticipationMode, WorkplaceType
from inspections.forms import InspectionImportForm
from inspections.imports import import_checked, request_import
from inspections.models import ImportJob
from network.mixins import ScopedQuerysetMixin
from network.models import Agency

REQUIRED = "inspections.add_inspection"


class InspectionImportView(ScopedQuerysetMixin, View):
    """Planned inspections from a spreadsheet: a dry run shows every row and every error;
    importing writes all rows or none."""

    required_capability = REQUIRED
    template_name = "inspections/inspection_import.html"

    def get(self, request):
        return render(request, self.template_name, self.context(InspectionImportForm()))

    def context(self, form) -> dict:
        """The form, and the codes a person types in the file next to what they mean."""
        return {
            "form": form,
            "agencies": Agency.objects.filter(active=True).order_by("name_sv"),
            "modes": ParticipationMode.choices,
            "workplace_types": WorkplaceType.choices,
        }

    def post(self, request):
        form = InspectionImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = request_import(
                    upload=form.cleaned_data["file"],
                    actor=request.user,
                    dry_run=not form.cleaned_data["confirm"],
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                return redirect("inspections:import_job", pk=job.pk)
        return render(request, self.template_name, self.context(form), status=400)


class ImportJobView(ScopedQuerysetMixin, View):
    """One import: progress while the worker runs, then the rows read and every error."""

    required_capability = REQUIRED
    scoped_model = ImportJob
    template_name = "inspections/import_job.html"

    def get(self, request, pk):
        job = get_object_or_404(self.get_queryset().defer("data"), pk=pk)
        context = {"job": job, "errors": _readable_errors(job), "preview": _readable(job)}
        return render(request, self.template_name, context)


# The file's own Swedish column headers (inspections/imports.py HEADERS), shown for a field.
COLUMN_HEADERS = {
    "workplace": "arbetsställe",
    "address": "adress",
    "city": "ort",
    "municipality": "kommun",
    "county": "län",
    "sni": "SNI",
    "orgnr": "orgnr",
    "planned_date": "datum",
    "agencies": "myndigheter",
    "workplace_type": "typ",
}


def _readable_errors(job: ImportJob) -> list[dict]:
    return [{**e, "field": COLUMN_HEADERS.get(e["field"], e["field"])} for e in job.errors]


def _readable(job: ImportJob) -> list[dict]:
    """The preview with agency names and participation in words, not codes."""
    names = {a.code: a.name for a in Agency.objects.all()}
    modes = dict(ParticipationMode.choices)

    def words(item: str) -> str:
        code, _sep, mode = item.partition(":")
        return f"{names.get(code, code)} ({modes.get(mode, mode)})"

    return [{**row, "agencies": [words(a) for a in row["agencies"]]} for row in job.preview]


class ImportCheckedView(ScopedQuerysetMixin, View):
    """Import the file of a correct dry run (POST from its page)."""

    required_capability = REQUIRED
    scoped_model = ImportJob

    def post(self, request, pk):
        job = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            again = import_checked(job, actor=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("inspections:import_job", pk=job.pk)
        return redirect("inspections:import_job", pk=again.pk)
