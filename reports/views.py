"""The Lägesbild in the browser: request a build, watch it, read it, download it, and edit
the network report's text and state. Out of scope is 404 everywhere, as in the API."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from inspections.choices import SelectionBasis
from network.exceptions import StaleVersion
from network.forms import choice_field
from network.mixins import CapabilityRequiredMixin
from network.models import Centre
from network.tables import TableListView
from reports import figures, opendata, rendering, services
from reports.downloads import DOWNLOADS, LANGUAGES, download_body, download_response
from reports.models import (
    HISTORY_KEYS,
    NETWORK,
    REPORT_STATES,
    AnnualReport,
    BuildStatus,
    PublishedFigure,
    ReportBuild,
)
from reports.policies import report_scopes
from reports.tables import BuildTable


class ReportScopeMixin(CapabilityRequiredMixin):
    """404 unless the user may build some scope of the report."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not report_scopes(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class BuildRequestForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("year"), min_value=2000)
    scope = forms.ChoiceField(label=gettext_lazy("scope"))

    def __init__(self, *args, scopes, **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "scope").choices = [
            (
                s,
                _("The whole network")
                if s == NETWORK
                else _("My agency (%(code)s)") % {"code": s.upper()},
            )
            for s in scopes
        ]
        self.fields["year"].initial = timezone.localdate().year - 1


class ReportHomeView(ReportScopeMixin, TableListView):
    """The request form, the annual reports and the builds of the figures the person may
    see (a list on the list-page base: newest request first, keyset pages)."""

    template_name = "reports/report_home.html"
    context_object_name = "builds"
    table_class = BuildTable
    default_order = ("-requested_at", "-id")
    page_size = 30

    def get_queryset(self):
        # The frozen figures are the bulk of a row and the list shows none of them.
        return ReportBuild.objects.visible_to(self.request.user).defer(
            "figures", "raw_figures", "previous_figures", "error"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scopes = report_scopes(self.request.user)
        context["may_enter_history"] = services.may_enter_history(self.request.user)
        context["form"] = kwargs.get("form") or BuildRequestForm(scopes=scopes)
        context["reports"] = AnnualReport.objects.visible_to(self.request.user)[:10]
        return context


class RequestBuildView(ReportScopeMixin, View):
    def post(self, request):
        form = BuildRequestForm(request.POST, scopes=report_scopes(request.user))
        if not form.is_valid():
            view = ReportHomeView(request=request, kwargs={})
            return render(request, view.template_name, view.get_context_data(form=form), status=400)
        try:
            build, created = services.request_build(
                year=form.cleaned_data["year"], scope=form.cleaned_data["scope"], actor=request.user
            )
        except ValidationError as error:
            for field, field_messages in error.message_dict.items():
                for message in field_messages:
                    form.add_error(field if field in form.fields else None, message)
            view = ReportHomeView(request=request, kwargs={})
            return render(request, view.template_name, view.get_context_data(form=form), status=400)
        if not created:
            messages.info(request, _("This report is already being built."))
        return redirect("reports:build_detail", pk=build.pk)


class BuildDetailView(ReportScopeMixin, TemplateView):
    """While it runs: a progress bar that follows the build. When ready: the report."""

    template_name = "reports/build_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        build = get_object_or_404(
            ReportBuild.objects.visible_to(self.request.user), pk=kwargs["pk"]
        )
        context["build"] = build
        context["formats"] = list(DOWNLOADS)
        if build.status == BuildStatus.READY:
            report = (
                AnnualReport.objects.filter(year=build.year).first()
                if build.scope == NETWORK
                else None
            )
            context.update(rendering.context(build, report))
        return context


class DownloadView(ReportScopeMixin, View):
    def get(self, request, pk, fmt):
        build = get_object_or_404(
            ReportBuild.objects.visible_to(request.user), pk=pk, status=BuildStatus.READY
        )
        language = request.GET.get("lang", "sv")
        if fmt not in DOWNLOADS or language not in LANGUAGES:
            raise Http404
        body = download_body(build, fmt, language)
        services.record_download(build, fmt=f"{fmt} {language}", actor=request.user)
        return download_response(build, fmt, body, language)


class ReportTextForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = AnnualReport
        fields = ["summary", "method", "risk_environments", "outlook"]
        widgets = {f: forms.Textarea(attrs={"rows": 5}) for f in fields}


class AnnualReportView(ReportScopeMixin, View):
    """The network report of a year: its texts and its way to publication."""

    template_name = "reports/annual_report.html"

    def _report(self, request, year):
        if NETWORK not in report_scopes(request.user):
            raise Http404
        return services.get_or_create_report(year)

    def get(self, request, year):
        report = self._report(request, year)
        form = ReportTextForm(instance=report, initial={"version": report.version})
        return self._render(request, report, form)

    def _render(self, request, report, form, status=200):
        context = {
            "report": report,
            "form": form,
            "next_states": sorted(REPORT_STATES.next_states(report.state)),
        }
        return render(request, self.template_name, context, status=status)

    def post(self, request, year):
        report = self._report(request, year)
        try:
            if "state" in request.POST:
                services.move_report(report, state=request.POST["state"], actor=request.user)
                messages.success(request, _("The report has moved on."))
                return redirect("reports:annual_report", year=year)
            form = ReportTextForm(request.POST, instance=report)
            if not form.is_valid():
                return self._render(request, report, form, status=400)
            services.update_report_text(
                report,
                version=form.cleaned_data["version"],
                texts={f: form.cleaned_data[f] for f in ReportTextForm.Meta.fields},
                actor=request.user,
            )
        except StaleVersion:
            messages.error(
                request, _("Someone else has changed this in the meantime. Reload and try again.")
            )
            return redirect("reports:annual_report", year=year)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("reports:annual_report", year=year)
        messages.success(request, _("The text is saved."))
        return redirect(reverse("reports:annual_report", args=[year]))


# --- hit rate ------------------------------------------------------------------------------

HIT_RATE_CACHE_SECONDS = 300
HIT_RATE_CACHE_PREFIX = "reports:hit-rate:"
FIRST_YEAR = 2015


def published_figures(year: int) -> dict:
    """The network's figures of a year as the Lägesbild would publish them today: the same
    computation and the same suppression (k, centres' counties, year). Cached a few minutes
    per year and k: the dashboard is read far more often than the data changes."""
    key = f"{HIT_RATE_CACHE_PREFIX}{year}:{settings.AKRIM_SUPPRESS_BELOW}"
    published = cache.get(key)
    if published is None:
        published = services.published_figures(year, NETWORK)
        cache.set(key, published, HIT_RATE_CACHE_SECONDS)
    return published


class HitRateView(CapabilityRequiredMixin, TemplateView):
    """How often a performed inspection found something, by why it was chosen (risk
    ranking, random draw within a risk industry, tip, ...) and by centre: the test of the
    risk ranking. Analysts and coordinators; small cells hidden as in the Lägesbild."""

    template_name = "reports/hit_rate.html"
    required_capability = "reports.work_on_report_builds"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if (
            user.is_authenticated
            and not report_scopes(user)
            and not user.has_perm("inspections.coordinate_inspection")
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        this_year = timezone.localdate().year
        raw_year = self.request.GET.get("year", "")
        year = int(raw_year) if raw_year.isascii() and raw_year.isdigit() else this_year
        if not FIRST_YEAR <= year <= this_year:
            year = this_year
        published = published_figures(year)
        selection = dict(SelectionBasis.choices)
        centres = dict(Centre.objects.values_list("code", "name"))
        context.update(
            year=year,
            years=list(range(this_year, FIRST_YEAR - 1, -1)),
            k=settings.AKRIM_SUPPRESS_BELOW,
            inspections_total=published.get("inspections_total"),
            with_findings=published.get("inspections_with_findings"),
            tables=[
                rendering._hit_rate_table(
                    "hit_rate_by_selection_basis",
                    _("Hit rate by selection basis"),
                    _("Selection basis"),
                    figures.hit_rates(published, "selection_basis"),
                    lambda b: selection.get(b, b),
                ),
                rendering._hit_rate_table(
                    "hit_rate_by_centre",
                    _("Hit rate by regional centre"),
                    _("Centre"),
                    figures.hit_rates(published, "centre"),
                    lambda c: centres.get(c, c),
                ),
            ],
            hidden=rendering.HIDDEN,
        )
        return context


class OpenDataView(View):
    """The published report's figures as open data, without login (docs/reports.md "Open
    data"). A year whose report is not published has no package: 404 for everyone."""

    def get(self, request, year, name=None):
        report = opendata.published_report(year)
        if report is None:
            raise Http404
        if name is None:
            files = opendata.files(report)
            return render(
                request,
                "reports/open_data.html",
                {"report": report, "names": sorted(files), "zip_name": f"lagesbild-{year}.zip"},
            )
        if name == f"lagesbild-{year}.zip":
            response = HttpResponse(opendata.as_zip(report), content_type="application/zip")
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        files = opendata.files(report)
        if name not in files:
            raise Http404
        kind = "application/json" if name.endswith(".json") else "text/csv; charset=utf-8"
        response = HttpResponse(files[name], content_type=kind)
        response["Access-Control-Allow-Origin"] = "*"
        return response


class PublishedFigureForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("year"), min_value=2000)
    key = forms.ChoiceField(label=gettext_lazy("figure"), choices=HISTORY_KEYS)
    value = forms.IntegerField(label=gettext_lazy("value"), min_value=0)
    source = forms.CharField(
        label=gettext_lazy("source"),
        max_length=300,
        help_text=gettext_lazy("Where the figure was published, e.g. a press release's address."),
    )


class PublishedHistoryView(ReportScopeMixin, View):
    """The figures the network published for years before akrim: entered here by
    Arbetsmiljöverket's analysts, used by the trend where akrim has no data."""

    template_name = "reports/published_history.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not services.may_enter_history(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def _render(self, request, form, status=200):
        figures_ = PublishedFigure.objects.select_related("entered_by")
        return render(
            request, self.template_name, {"form": form, "figures": figures_}, status=status
        )

    def get(self, request):
        return self._render(request, PublishedFigureForm())

    def post(self, request):
        form = PublishedFigureForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        try:
            services.save_published_figure(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, messages_ in error.message_dict.items():
                for message in messages_:
                    form.add_error(field if field in form.fields else None, message)
            return self._render(request, form, status=400)
        messages.success(request, _("The published figure is saved."))
        return redirect("reports:published_history")
