"""Import planned inspections from a coordinator's spreadsheet (CSV or XLSX), in the worker.

The request only stores the file as an `ImportJob` and queues `tasks.run_import`; the page
polls the job's status and progress (the pattern of the Lägesbild build, docs/architecture.md).
The job claims its row with a conditional UPDATE, so a redelivered task never runs twice.

All or nothing: every row is checked first, and a file with any error writes nothing and
reports each bad row and field. A dry run checks and previews without writing. The rows are
written with a few bulk statements in one transaction (docs/performance.md, "Imports"), with
the same audit events, ranking-fact markers and notifications as planning one by one.

The file is untrusted (docs/security.md): it is refused before it is parsed when it is larger
than `MAX_BYTES`, when an XLSX unpacks to more than `MAX_UNPACKED` bytes (the sizes its zip
directory declares; Python's zipfile never inflates an entry beyond its declared size) or
carries a DTD (entity expansion, "billion laughs"); then it is read row by row, openpyxl in
read-only mode with the sheet's declared dimension ignored (a 1.6 kB file may declare
A1:XFD1048576), stopping at the first row over the limits on rows, columns and cell length.

Columns (header names in Swedish or English, any order, case-insensitive):
workplace/arbetsställe, address/adress, city/ort, municipality/kommun (4 digits),
county/län (2 digits), sni, orgnr (several separated by ';'), planned_date/datum
(YYYY-MM-DD), agencies/myndigheter ("skv:on_site; polis:on_site; migr:desk"),
workplace_type/typ (optional). Lists inside a cell are separated by ';', ',' or '|'.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from cases.employers import matching
from cases.employers.models import Employer
from inspections import facts
from inspections.choices import EmployerRole, ImportStatus, ParticipationMode, WorkplaceType
from inspections.models import (
    AgencyAssignment,
    ImportJob,
    Inspection,
    InspectionEmployer,
    InspectionSequence,
    Workplace,
)
from inspections.tasks import run_import
from network.identifiers import parse_orgnr
from network.middleware import current_request, request_context
from network.models import Agency, AuditEvent, County, Membership, Role, User
from network.outbox import enqueue_mail

log = logging.getLogger(__name__)

MAX_ROWS = 5000  # inspections per file
MAX_LINES = 2 * MAX_ROWS + 1  # lines read, blank ones included, header included
MAX_COLUMNS = 30
MAX_CELL = 1000  # characters in one cell
MAX_BYTES = 5 * 1024 * 1024  # the uploaded file
MAX_UNPACKED = 50 * 1024 * 1024  # an XLSX's parts together, unpacked
MAX_PARTS = 1000  # entries in an XLSX's zip directory
STALE_AFTER = timedelta(minutes=5)  # a running job silent this long was lost with its worker
PROGRESS_EVERY = 500  # rows between progress reports
HEADERS = {
    "workplace": "name",
    "arbetsställe": "name",
    "arbetsstalle": "name",
    "address": "address",
    "adress": "address",
    "city": "city",
    "ort": "city",
    "municipality": "municipality",
    "kommun": "municipality",
    "county": "county",
    "län": "county",
    "lan": "county",
    "sni": "sni",
    "orgnr": "orgnr",
    "planned_date": "planned_date",
    "datum": "planned_date",
    "agencies": "agencies",
    "myndigheter": "agencies",
    "workplace_type": "workplace_type",
    "typ": "workplace_type",
}
REQUIRED = ("name", "municipality", "county", "sni", "planned_date")
COLUMN_OF = {"street_address": "address", "name": "workplace"}


def _refuse(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


# --- reading the file, bomb-proof --------------------------------------------------------


def check_upload(name: str, size: int) -> None:
    """What the request checks before it queues anything: the kind and size of the file."""
    lowered = (name or "").lower()
    if not lowered.endswith((".csv", ".xlsx")):
        raise _refuse(_("Upload a .csv or .xlsx file."))
    if size > MAX_BYTES:
        raise _refuse(_("The file is too large (at most 5 MB)."))


def _unreadable() -> ValidationError:
    return _refuse(_("The file is not a readable XLSX workbook."))


def check_workbook(data: bytes) -> None:
    """Refuse an XLSX before openpyxl parses it: too many parts, parts that unpack to more
    than MAX_UNPACKED bytes (a zip bomb), or XML with a document type declaration (entity
    expansion). The sizes are those the zip directory declares; zipfile stops every entry at
    its declared size and fails its checksum if there was more, so they cannot lie."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _unreadable() from None
    with archive:
        parts = archive.infolist()
        if len(parts) > MAX_PARTS:
            raise _unreadable()
        if sum(part.file_size for part in parts) > MAX_UNPACKED:
            raise _refuse(
                _("The workbook unpacks to more than %(mb)s MB: save it again or split it.")
                % {"mb": MAX_UNPACKED // (1024 * 1024)}
            )
        for part in parts:
            if part.filename.lower().endswith((".xml", ".rels", ".vml")):
                _refuse_dtd(archive, part)


def _refuse_dtd(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> None:
    """An XLSX never needs a DTD; one in any part is refused (no entity is ever expanded)."""
    tail = b""
    try:
        with archive.open(part) as stream:
            while chunk := stream.read(1024 * 1024):
                window = tail + chunk
                if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                    raise _refuse(
                        _("The workbook contains XML declarations that are not allowed (DTD).")
                    )
                tail = window[-16:]
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
        raise _unreadable() from None


def _xlsx_lines(data: bytes) -> Iterator[tuple]:
    check_workbook(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged workbook
        raise _unreadable() from None
    try:
        sheet = book.active
        if sheet is None or not hasattr(sheet, "reset_dimensions"):
            raise _unreadable()
        # Ignore the sheet's declared size: openpyxl would pad every row to it.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
        while True:
            try:
                line = next(rows)
            except StopIteration:
                return
            except ValidationError:
                raise
            except Exception:
                raise _unreadable() from None
            yield line
    finally:
        book.close()


def _csv_lines(data: bytes) -> Iterator[list]:
    text = data.decode("utf-8-sig", errors="replace")
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error:
        raise _refuse(_("The file is not a readable CSV file.")) from None


def read_rows(data: bytes, name: str) -> list[dict]:
    """The file's rows as dicts keyed by our column names (row numbers as in the file), read
    one line at a time and refused at the first line over a limit."""
    check_upload(name, len(data))
    lines = _xlsx_lines(data) if name.lower().endswith(".xlsx") else _csv_lines(data)
    header: list[str] | None = None
    rows: list[dict[str, Any]] = []
    for number, values in enumerate(lines, start=1):
        if number > MAX_LINES:
            raise _refuse(_("The file has more than %(n)s lines.") % {"n": MAX_LINES})
        if len(values) > MAX_COLUMNS and any(v not in (None, "") for v in values[MAX_COLUMNS:]):
            raise _refuse(
                _("Row %(row)s has more than %(n)s columns.") % {"row": number, "n": MAX_COLUMNS}
            )
        values = values[:MAX_COLUMNS]
        if any(isinstance(v, str) and len(v) > MAX_CELL for v in values):
            raise _refuse(
                _("Row %(row)s has a cell longer than %(n)s characters.")
                % {"row": number, "n": MAX_CELL}
            )
        if header is None:
            header = [HEADERS.get(str(h or "").strip().lower(), "") for h in values]
            missing = [c for c in REQUIRED if c not in header]
            if missing:
                raise _refuse(_("Missing columns: %(c)s.") % {"c": ", ".join(missing)})
            continue
        if not any(str(v or "").strip() for v in values):
            continue
        if len(rows) == MAX_ROWS:
            raise _refuse(_("At most %(n)s rows per file.") % {"n": MAX_ROWS})
        row = {"_row": number}
        for key, value in zip(header, values, strict=False):
            if key:
                row[key] = value
        rows.append(row)
    if header is None:
        raise _refuse(_("The file is empty."))
    return rows


# --- checking the rows ---------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _items(value) -> list[str]:
    """A list in one cell, separated by ';', ',' or '|' (whichever the file's own column
    separator leaves free)."""
    return [p.strip() for p in re.split(r"[;,|]", _text(value)) if p.strip()]


def _check_row(
    row: dict, counties: dict, agencies: dict, known: dict, orgnrs: dict
) -> tuple[dict, list]:
    """Validate one row without writing (and without a query); returns (plan, errors)."""
    errors = []

    def error(field_name, message):
        errors.append({"row": row["_row"], "field": field_name, "message": str(message)})

    name = _text(row.get("name"))
    if not name:
        error("workplace", _("Enter the workplace name."))
    municipality = _text(row.get("municipality")).zfill(4)
    if not (municipality.isdigit() and len(municipality) == 4):
        error("municipality", _("Enter the four-digit municipality code."))
    county = _text(row.get("county")).zfill(2)
    if county not in counties:
        error("county", _("Choose a county code, 01-25."))
    sni = _text(row.get("sni"))
    planned = row.get("planned_date")
    if isinstance(planned, datetime):
        planned = planned.date()
    elif not isinstance(planned, date):
        try:
            planned = date.fromisoformat(_text(planned))
        except ValueError:
            error("planned_date", _("Enter the date as YYYY-MM-DD."))
            planned = None
    workplace_type = _text(row.get("workplace_type")) or WorkplaceType.PREMISES
    # The model's own validators decide what a valid workplace is (SNI, type, lengths).
    try:
        Workplace(
            name=name,
            street_address=_text(row.get("address")),
            city=_text(row.get("city")),
            municipality=municipality,
            county=counties.get(county),
            sni=sni,
            workplace_type=workplace_type,
        ).full_clean(exclude=["county", "name", "municipality"], validate_unique=False)
    except ValidationError as exc:
        for field_name, messages in exc.message_dict.items():
            for message in messages:
                error(COLUMN_OF.get(field_name, field_name), message)
    employers = []
    for raw in _items(row.get("orgnr")):
        digits = orgnrs.get(raw)
        if isinstance(digits, ValidationError):
            error("orgnr", f"{raw}: {' '.join(digits.messages)}")
            continue
        if digits not in known:
            error(
                "orgnr",
                _("%(orgnr)s: no employer with this number is registered.") % {"orgnr": raw},
            )
            continue
        if known[digits] not in employers:
            employers.append(known[digits])
    assignments: list[tuple[Agency, str]] = []
    for part in _items(row.get("agencies")):
        code, _sep, mode = part.partition(":")
        code, mode = code.strip().lower(), (mode.strip().lower() or ParticipationMode.ON_SITE)
        if code not in agencies:
            error("agencies", _("Unknown agency: %(code)s.") % {"code": code})
        elif any(agency.code == code for agency, _mode in assignments):
            error("agencies", _("%(code)s is listed twice.") % {"code": code})
        elif mode not in ParticipationMode.values:
            error("agencies", _("Unknown participation %(mode)s.") % {"mode": mode})
        else:
            assignments.append((agencies[code], mode))
    plan = {
        "row": row["_row"],
        "workplace": {
            "name": name,
            "address": _text(row.get("address")),
            "city": _text(row.get("city")),
            "municipality": municipality,
            "county": counties.get(county),
            "sni": sni,
            "workplace_type": workplace_type,
        },
        "planned_date": planned,
        "employers": employers,
        "assignments": assignments,
    }
    return plan, errors


def _employers_named(rows: list[dict]) -> tuple[dict[str, int], dict]:
    """(orgnr -> employer id for every registered employer the file names, in one query;
    each number as written -> its digits or the ValidationError saying why not)."""
    parsed: dict = {}
    for row in rows:
        for raw in _items(row.get("orgnr")):
            if raw not in parsed:
                try:
                    parsed[raw] = parse_orgnr(raw).digits
                except ValidationError as exc:
                    parsed[raw] = exc
    wanted = {d for d in parsed.values() if isinstance(d, str)}
    known = dict(Employer.objects.filter(orgnr__in=wanted).values_list("orgnr", "pk"))
    return known, parsed


def check_rows(rows: list[dict], *, progress=None) -> tuple[list[dict], list[dict], list[dict]]:
    """(plans, errors, preview) for every row, with three queries whatever the number."""
    counties = {c.code: c for c in County.objects.all()}
    agencies = {a.code: a for a in Agency.objects.filter(active=True)}
    known, orgnrs = _employers_named(rows)
    plans, errors, preview = [], [], []
    for position, row in enumerate(rows, start=1):
        plan, row_errors = _check_row(row, counties, agencies, known, orgnrs)
        errors.extend(row_errors)
        plans.append(plan)
        preview.append(
            {
                "row": row["_row"],
                "workplace": plan["workplace"]["name"],
                "planned_date": str(plan["planned_date"] or ""),
                "agencies": [f"{a.code}:{m}" for a, m in plan["assignments"]],
            }
        )
        if progress is not None and position % PROGRESS_EVERY == 0:
            progress(position)
    return plans, errors, preview


# --- writing, in bulk -----------------------------------------------------------------------


def _references(years: list[int]) -> list[str]:
    """Gap-free references for inspections planned in `years` (one per entry, in order):
    each year's counter row is locked once and advanced by its count, as
    `network.services.next_reference` does one at a time."""
    wanted = Counter(years)
    InspectionSequence.objects.bulk_create(
        [InspectionSequence(year=y, last=0) for y in sorted(wanted)], ignore_conflicts=True
    )
    counters = {
        c.year: c for c in InspectionSequence.objects.select_for_update().filter(year__in=wanted)
    }
    next_number = {}
    for year, count in sorted(wanted.items()):
        counter = counters[year]
        next_number[year] = counter.last + 1
        counter.last += count
    InspectionSequence.objects.bulk_update(list(counters.values()), ["last"])
    references = []
    for year in years:
        references.append(f"KO-{year}-{next_number[year]:06d}")
        next_number[year] += 1
    return references


def _events(actor: User, agency: Agency, rows: list[tuple[str, Inspection, str, dict]]):
    """The audit events `record_event` writes, one per planned inspection and assigned
    agency as when planning one by one, inserted together: on PostgreSQL by COPY (15,000
    events for 5,000 rows: model instances and a bulk INSERT cost most of an import's
    time, docs/performance.md), elsewhere by bulk_create."""
    context = current_request()
    now = timezone.now()
    label = Inspection._meta.label_lower
    values = [
        (
            now,
            actor.pk,
            actor.get_username(),
            agency.pk,
            agency.code,
            action,
            label,
            str(inspection.pk),
            purpose,
            context.request_id,
            context.ip,
            changes,
        )
        for action, inspection, purpose, changes in rows
    ]
    columns = [
        "at",
        "actor_id",
        "actor_username",
        "agency_id",
        "agency_code",
        "action",
        "object_type",
        "object_id",
        "purpose",
        "request_id",
        "ip",
        "changes",
    ]
    if connection.vendor != "postgresql":
        AuditEvent.objects.bulk_create(
            [AuditEvent(**dict(zip(columns, row, strict=True))) for row in values],
            batch_size=500,
        )
        return
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    # The psycopg cursor under Django's wrapper speaks COPY.
    copy_sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
        for row in values:
            copy.write_row((*row[:-1], json.dumps(row[-1])))


def write_plans(plans: list[dict], *, actor: User) -> list[str]:
    """Plan every inspection of `plans` (checked, without errors) and assign its agencies,
    in one transaction with a few bulk statements whatever the number of rows. Returns the
    new references in the file's order."""
    agency = actor.agency
    if agency is None or not actor.has_perm("inspections.add_inspection"):
        raise PermissionDenied(_("Only coordinators import inspections."))
    with transaction.atomic():
        references = _references([plan["planned_date"].year for plan in plans])
        places = []
        for plan in plans:
            w = plan["workplace"]
            places.append(
                Workplace(
                    name=w["name"],
                    street_address=w["address"],
                    city=w["city"],
                    municipality=w["municipality"],
                    county=w["county"],
                    sni=w["sni"],
                    workplace_type=w["workplace_type"],
                    address_key=matching.address_key(w["address"]),
                )
            )
        Workplace.objects.bulk_create(places, batch_size=1000)
        now = timezone.now()
        inspections = [
            Inspection(
                reference=reference,
                workplace=place,
                coordinating_agency=agency,
                planned_date=plan["planned_date"],
                unannounced=True,
                created_by=actor,
                created_at=now,
            )
            for plan, place, reference in zip(plans, places, references, strict=True)
        ]
        Inspection.objects.bulk_create(inspections, batch_size=1000)
        InspectionEmployer.objects.bulk_create(
            [
                InspectionEmployer(
                    inspection=inspection, employer_id=employer_id, role=EmployerRole.EMPLOYER
                )
                for plan, inspection in zip(plans, inspections, strict=True)
                for employer_id in plan["employers"]
            ],
            batch_size=1000,
        )
        assignments = [
            AgencyAssignment(
                inspection=inspection,
                agency=assigned,
                mode=mode,
                assigned_by=actor,
                assigned_at=now,
                notified_at=now,  # their mails are queued below, in this transaction
            )
            for plan, inspection in zip(plans, inspections, strict=True)
            for assigned, mode in plan["assignments"]
        ]
        AgencyAssignment.objects.bulk_create(assignments, batch_size=1000)
        # bulk_create sends no signals: the ranking facts are marked here, in this transaction.
        facts.mark_stale(i.pk for i in inspections)
        events: list[tuple[str, Inspection, str, dict[str, Any]]] = [
            ("inspection.planned", i, i.reference, {}) for i in inspections
        ]
        events += [
            (
                "inspection.agency_assigned",
                a.inspection,
                "",
                {"agency": a.agency.code, "mode": a.mode},
            )
            for a in assignments
        ]
        _events(actor, agency, events)
        mail_assignments(assignments)
    return references


def mail_assignments(assignments: list[AgencyAssignment]) -> int:
    """The mails of an import's new assignments, into the outbox in the caller's transaction
    (network/outbox.py): one per agency member for all of that agency's new assignments,
    not one per row, naming only the references (an unannounced control must not leak
    through e-mail). Returns how many mails were queued."""
    by_agency: dict[Agency, list[str]] = {}
    for assignment in assignments:
        by_agency.setdefault(assignment.agency, []).append(assignment.inspection.reference)
    recipients: dict[int, set[str]] = {}
    members = (
        Membership.objects.filter(agency__in=list(by_agency), active=True)
        .select_related("user")
        .exclude(user__email="")
    )
    for member in members:
        if {Role.STAFF, Role.COORDINATOR} & set(member.roles):
            recipients.setdefault(member.agency_id, set()).add(member.user.email)
    link = settings.AKRIM_BASE_URL.rstrip("/") + reverse("inspections:inspection_list")
    queued = 0
    for agency, references in by_agency.items():
        body = (
            f"{agency.name_sv} har fått {len(references)} förfrågningar om att delta i "
            f"gemensamma kontroller ({', '.join(sorted(references))}).\n\n"
            f"Logga in för att se dem och svara: {link}\n\n"
            "Kontrollerna är oanmälda. Berätta inte om dem för någon utanför uppdraget."
        )
        queued += len(
            enqueue_mail(
                kind="inspection.assignment",
                subject="akrim: nya förfrågningar om gemensamma kontroller",
                body=body,
                to=recipients.get(agency.pk, ()),
            )
        )
    return queued


# --- the job ----------------------------------------------------------------------------


def request_import(*, upload, dry_run: bool, actor: User, request=None) -> ImportJob:
    """Store the file as a queued job and queue its run (after commit). Only the file's kind
    and size are checked here: everything that reads it runs in the worker."""
    if not actor.has_perm("inspections.add_inspection") or actor.agency is None:
        raise PermissionDenied(_("Only coordinators import inspections."))
    check_upload(upload.name, upload.size)
    context = current_request()
    with transaction.atomic():
        job = ImportJob.objects.create(
            requested_by=actor,
            agency=actor.agency,
            dry_run=dry_run,
            filename=(upload.name or "")[-200:],
            data=upload.read(),
            request_id=context.request_id,
            ip=context.ip,
        )
        run_import.delay_on_commit(job.pk)  # type: ignore[attr-defined]  # Celery 5.4+
    return job


def import_checked(job: ImportJob, *, actor: User) -> ImportJob:
    """Import the rows of a dry run that found no error, from the file it checked."""
    if job.requested_by_id != actor.pk or not job.dry_run or not job.ok:
        raise ValidationError(
            {"file": [_("Check the file first: only a correct file is imported.")]}
        )
    with transaction.atomic():
        again = ImportJob.objects.create(
            requested_by=actor,
            agency=job.agency,
            dry_run=False,
            filename=job.filename,
            data=bytes(job.data),
            request_id=current_request().request_id,
            ip=current_request().ip,
        )
        run_import.delay_on_commit(again.pk)  # type: ignore[attr-defined]  # Celery 5.4+
    return again


def claim_job(job_id: int) -> bool:
    """Take a queued job (or one whose worker went silent) for this delivery; False if
    another delivery has it. A lost job never wrote anything: its rows are written in one
    transaction at the very end."""
    now = timezone.now()
    waiting = Q(status=ImportStatus.QUEUED) | Q(
        status=ImportStatus.RUNNING, heartbeat_at__lt=now - STALE_AFTER
    )
    return bool(
        ImportJob.objects.filter(waiting, pk=job_id).update(
            status=ImportStatus.RUNNING,
            started_at=now,
            heartbeat_at=now,
            progress=1,
            stage=_("started"),
        )
    )


def release_job(job_id: int) -> None:
    """Give a claimed job back to the queue (before retrying a transient error)."""
    ImportJob.objects.filter(pk=job_id, status=ImportStatus.RUNNING).update(
        status=ImportStatus.QUEUED, stage=_("waiting to retry")
    )


def fail_job(job_id: int, message: str) -> None:
    ImportJob.objects.filter(
        pk=job_id, status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]
    ).update(
        status=ImportStatus.FAILED, error=message[:2000], finished_at=timezone.now(), stage="failed"
    )


def _progress(job_id: int, progress: int, stage: str) -> None:
    ImportJob.objects.filter(pk=job_id, status=ImportStatus.RUNNING).update(
        progress=progress, stage=stage, heartbeat_at=timezone.now()
    )


def run_job(job_id: int) -> ImportJob:
    """Read, check and (unless a dry run, and only without errors) write a claimed job."""
    job = ImportJob.objects.select_related("requested_by").get(pk=job_id)
    started = job.started_at
    with request_context(job.request_id, job.ip):
        _progress(job_id, 5, _("reading the file"))
        try:
            rows = read_rows(bytes(job.data), job.filename)
        except ValidationError as error:
            fail_job(job_id, " ".join(error.messages))
            return ImportJob.objects.get(pk=job_id)
        total = max(len(rows), 1)
        _progress(job_id, 20, _("checking the rows"))
        plans, errors, preview = check_rows(
            rows,
            progress=lambda done: _progress(
                job_id, 20 + 50 * done // total, _("checking the rows")
            ),
        )
        created: list[str] = []
        write = not job.dry_run and not errors
        if write:
            _progress(job_id, 75, _("importing"))
        try:
            with transaction.atomic():
                if write:
                    created = write_plans(plans, actor=job.requested_by)
                # Finish only if this delivery still owns the job (a redelivery may have
                # taken over a job that looked lost): otherwise roll the rows back.
                locked = ImportJob.objects.select_for_update().get(pk=job_id)
                if locked.status != ImportStatus.RUNNING or locked.started_at != started:
                    transaction.set_rollback(True)
                    return locked
                locked.rows, locked.errors = len(rows), errors
                locked.preview, locked.created = preview, created
                locked.status, locked.progress, locked.stage = ImportStatus.READY, 100, "ready"
                locked.finished_at = timezone.now()
                if created:
                    locked.data = b""  # imported: the plan now lives in the inspections
                locked.save()
        except (PermissionDenied, ValidationError) as error:
            # The coordinator lost the right meanwhile: nothing was written.
            fail_job(job_id, " ".join(getattr(error, "messages", None) or [str(error)]))
            return ImportJob.objects.get(pk=job_id)
    return locked


def crash_message() -> str:
    return _("The import stopped because of an error in akrim. Nothing was imported.")
