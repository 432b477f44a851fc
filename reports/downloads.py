"""The report's downloads, shared by the report page and the API (docs/reports.md): the
media type of each format, the languages, and the body and response of one download."""

from django.http import HttpResponse

from reports import rendering
from reports.models import NETWORK

DOWNLOADS = {
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
}

LANGUAGES = ("sv", "en")


def download_response(build, fmt: str, body: bytes, language: str = "sv") -> HttpResponse:
    """Every format is a download (the HTML one too: it carries its own styles, which the
    site's Content Security Policy would block if it were shown as a page here)."""
    response = HttpResponse(body, content_type=DOWNLOADS[fmt])
    suffix = "" if language == "sv" else f"-{language}"
    name = f"lagesbild-{build.year}-{build.scope}{suffix}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def download_body(build, fmt: str, language: str = "sv") -> bytes:
    """The frozen Swedish PDF as stored; the English one (and every other format) is drawn
    from the same frozen figures when asked for."""
    from reports.models import AnnualReport

    report = (
        AnnualReport.objects.filter(year=build.year).first() if build.scope == NETWORK else None
    )
    return {
        "pdf": lambda: (
            build.pdf.open("rb").read()
            if language == "sv"
            else rendering.as_pdf(build, report, language)
        ),
        "csv": lambda: rendering.as_csv(build, language).encode("utf-8"),
        "xlsx": lambda: rendering.as_xlsx(build, language),
        "html": lambda: rendering.as_html(build, report, language).encode("utf-8"),
    }[fmt]()
