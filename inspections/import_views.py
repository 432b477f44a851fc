"""The spreadsheet import in the browser: send a file, follow the worker, read the outcome.

The POST stores the file and queues the job (inspections/imports.py), then redirects to the
job's page, which polls the job's API row while it runs (static/js/report-progress.js) and
shows every row and every error when it is done. A correct dry run offers to import the
same file without sending it again."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from inspections.forms import InspectionImportForm
from inspections.imports import import_checked, request_import
from inspections.models import ImportJob
from network.mixins import ScopedQuerysetMixin

REQUIRED = "inspections.add_inspection"


class InspectionImportView(ScopedQuerysetMixin, View):
    """Planned inspections from a spreadsheet: a dry run shows every row and every error;
    importing writes all rows or none."""

    required_capability = REQUIRED
    template_name = "inspections/inspection_import.html"

    def get(self, request):
        return render(request, self.template_name, {"form": InspectionImportForm()})

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
        return render(request, self.template_name, {"form": form}, status=400)


class ImportJobView(ScopedQuerysetMixin, View):
    """One import: progress while the worker runs, then the rows read and every error."""

    required_capability = REQUIRED
    scoped_model = ImportJob
    template_name = "inspections/import_job.html"

    def get(self, request, pk):
        job = get_object_or_404(self.get_queryset().defer("data"), pk=pk)
        status = 400 if job.finished and not job.ok else 200
        return render(request, self.template_name, {"job": job}, status=status)


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
