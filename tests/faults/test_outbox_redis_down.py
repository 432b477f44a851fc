"""Redis away while requests that send e-mail commit: every request still answers 2xx, and
every mail is delivered once Redis is back, none twice (the e-mail outbox, network/outbox.py;
docs/operations.md).

Real processes: a gunicorn (DEBUG off) and, after the outage, a Celery worker and beat,
against pytest-django's database and a Redis of the test's own. The requests are API
assignments of an agency to a joint control, each of which mails the agency's staff.
"""

import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.utils import timezone

from cases.employers import services as employer_services
from inspections.services import planning
from network.models import OutboxMessage
from network.tokens import issue_token
from tests.faults import services as s
from tests.faults.conftest import more_sender_rounds, outbox_env
from tests.faults.mail_sink import delivered

pytestmark = [
    pytest.mark.faults,
    pytest.mark.worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(600),
]

REQUESTS = 20
WORKPLACE = {
    "name": "Verkstaden",
    "address": "Industrigatan 4",
    "city": "Solna",
    "municipality": "0184",
    "county": "01",
    "sni": "45.200",
    "workplace_type": "premises",
}


def _post(url: str, payload: dict, headers: dict) -> int:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={**headers, "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _start_beat(env: dict, directory) -> s.Process:
    return s.Process(
        [
            str(s.BIN / "celery"),
            "-A",
            "config",
            "beat",
            "--schedule",
            str(directory / "beat-schedule"),
            "--loglevel=INFO",
        ],
        env,
        "beat",
    )


def test_mails_of_requests_committed_while_redis_is_down_are_delivered_once(
    persona, throwaway_redis, collected_static, tmp_path
):
    coordinator = persona("av", "staff", "coordinator", username="av.fault")
    staff = persona("skv", "staff", username="skv.fault")
    staff.email = "skv.fault@example.se"
    staff.save()
    employer = employer_services.register_employer(
        orgnr="556036-0793", name="Verkstaden AB", actor=coordinator
    )
    inspections = [
        planning.plan_inspection(
            workplace=WORKPLACE,
            planned_date=timezone.localdate() + timedelta(days=7),
            employers=[employer.orgnr],
            actor=coordinator,
        )
        for _ in range(REQUESTS)
    ]
    token = issue_token(coordinator, two_factor=True, actor=None)

    env, mail_dir = outbox_env(tmp_path, collected_static, throwaway_redis.url)
    port = s.free_port()
    base = f"http://127.0.0.1:{port}"
    server = s.start_gunicorn(env, port, workers=2)
    worker = beat = None
    try:
        s.wait_until(
            lambda: _answers(base), 180, f"gunicorn to answer:\n{server.output()}", step=0.5
        )
        throwaway_redis.stop()

        headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
        with ThreadPoolExecutor(max_workers=5) as pool:
            statuses = list(
                pool.map(
                    lambda inspection: _post(
                        f"{base}/api/v1/inspections/{inspection.pk}/assignments/",
                        {"agency": "skv", "mode": "on_site"},
                        headers,
                    ),
                    inspections,
                )
            )
        assert statuses == [201] * REQUESTS, server.output()[-3000:]
        messages = OutboxMessage.objects.filter(kind="inspection.assignment")
        assert messages.count() == REQUESTS  # every mail kept, none sent yet
        assert delivered(mail_dir) == []

        throwaway_redis.start()
        worker = s.start_worker(env, env["CELERY_QUEUE"])
        beat = _start_beat(env, tmp_path)
        s.wait_until(
            lambda: (
                len(delivered(mail_dir)) >= REQUESTS
                and not messages.exclude(status=OutboxMessage.Status.SENT).exists()
            ),
            120,
            f"the mails to be delivered:\n{worker.output()[-3000:]}\n{beat.output()[-2000:]}",
            step=0.5,
        )
        more_sender_rounds(worker)  # nothing may go out again
    finally:
        for process in (beat, worker, server):
            if process is not None:
                process.stop()

    mails = delivered(mail_dir)
    assert len(mails) == REQUESTS
    assert all(mail["to"] == ["skv.fault@example.se"] for mail in mails)
    references = sorted(
        next(i.reference for i in inspections if i.reference in mail["body"]) for mail in mails
    )
    assert references == sorted(i.reference for i in inspections)  # each one, once


def _answers(base: str) -> bool:
    try:
        return s.get(f"{base}/api/v1/agencies/", timeout=2)[0] in {200, 401}
    except OSError:
        return False
