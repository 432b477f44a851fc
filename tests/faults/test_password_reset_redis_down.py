"""Password reset while Redis is away: the request answers as always (never a 500), its
rate-limit counters fall back to this process's memory (fail open, per process;
docs/security.md "Rate limits"), and the reset mail waits in the outbox and is delivered,
once, after Redis returns.

Real processes: a gunicorn (DEBUG off) and, after the outage, a Celery worker and beat, against
pytest-django's database and a Redis of the test's own that the test stops and starts.
"""

import re
import urllib.error
import urllib.parse
import urllib.request

import pytest

from network.models import OutboxMessage
from tests.faults import services as s
from tests.faults.conftest import more_sender_rounds, outbox_env
from tests.faults.mail_sink import delivered
from tests.faults.test_outbox_redis_down import _start_beat

pytestmark = [
    pytest.mark.faults,
    pytest.mark.worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(600),
]

LIMIT_PER_EMAIL = 3


class Browser:
    """Cookies and the CSRF token, as a browser keeps them (also the `Secure` ones: the
    test talks plain HTTP to a server with production cookie settings)."""

    def __init__(self, base: str):
        self.base = base
        self.cookies: dict[str, str] = {}

    def open(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        headers = {"Origin": self.base, "Referer": self.base + path}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        request = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            response = urllib.request.urlopen(request, timeout=60)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, response.read().decode()

    def reset(self, email: str) -> tuple[int, str]:
        status, page = self.open("/password_reset/")
        assert status == 200, page[-2000:]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        return self.open("/password_reset/", {"email": email, "csrfmiddlewaretoken": token})


def test_a_reset_asked_for_while_redis_is_down_answers_and_its_mail_arrives_once(
    persona, throwaway_redis, collected_static, tmp_path
):
    user = persona("skv", "staff", username="skv.reset")
    user.email = "skv.reset@example.se"
    user.save()

    env, mail_dir = outbox_env(tmp_path, collected_static, throwaway_redis.url)
    port = s.free_port()
    base = f"http://127.0.0.1:{port}"
    # One worker process, so the per-process fallback counter is the only one.
    server = s.start_gunicorn(env, port, workers=1)
    worker = beat = None
    try:
        s.wait_until(lambda: _answers(base), 180, f"gunicorn:\n{server.output()}", step=0.5)
        throwaway_redis.stop()

        browser = Browser(base)
        answers = [browser.reset(user.email) for _ in range(LIMIT_PER_EMAIL)]
        assert [status for status, _ in answers] == [200] * LIMIT_PER_EMAIL, server.output()[-4000:]
        assert all("password_reset/done" in page or "skickat" in page for _, page in answers)
        # Fail open, not unlimited: the per-address limit still holds in this process.
        over, _ = browser.reset(user.email)
        assert over == 429, server.output()[-3000:]

        messages = OutboxMessage.objects.filter(kind="auth.password_reset")
        assert messages.count() == LIMIT_PER_EMAIL  # every mail kept, none sent yet
        assert delivered(mail_dir) == []

        throwaway_redis.start()
        worker = s.start_worker(env, env["CELERY_QUEUE"])
        beat = _start_beat(env, tmp_path)
        s.wait_until(
            lambda: (
                len(delivered(mail_dir)) >= LIMIT_PER_EMAIL
                and not messages.exclude(status=OutboxMessage.Status.SENT).exists()
            ),
            120,
            f"the mails to be delivered:\n{worker.output()[-3000:]}\n{beat.output()[-2000:]}",
            step=0.5,
        )
        more_sender_rounds(worker)  # nothing may go out again
        # Redis is back: the shared counters are used again and answer as before.
        assert Browser(base).reset("someone.else@example.se")[0] == 200
    finally:
        for process in (beat, worker, server):
            if process is not None:
                process.stop()

    mails = delivered(mail_dir)
    assert len(mails) == LIMIT_PER_EMAIL
    assert all(mail["to"] == [user.email] for mail in mails)
    links = {re.search(r"/reset/\S+", mail["body"]).group(0) for mail in mails}
    assert len(links) >= 1


def _answers(base: str) -> bool:
    try:
        return s.get(f"{base}/login/", timeout=2)[0] == 200
    except OSError:
        return False
