"""The e-mail outbox (network/outbox.py): a mail is a row written with the change, sent after
commit by the outbox task, retried with a growing pause while the mail server fails, and
sent at most once however many senders run."""

import smtplib
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from network import outbox
from network.models import AuditEvent, OutboxMessage

pytestmark = pytest.mark.django_db

Status = OutboxMessage.Status


class MailServerDown:
    """A mail backend whose server never answers (as smtplib fails when it is away)."""

    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        raise smtplib.SMTPConnectError(421, "mail server away")

    def close(self):
        pass

    def send_messages(self, messages):
        self.open()


@pytest.fixture
def mail_server_down(settings):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.MailServerDown"}}


@pytest.fixture
def mail_server_up(settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


def queue(n: int = 1, kind: str = "test.notice") -> list[OutboxMessage]:
    return outbox.enqueue_mail(
        kind=kind,
        subject="akrim: test",
        body="Hej",
        to=[f"person{i}@example.se" for i in range(n)],
    )


def test_a_mail_is_sent_after_the_change_commits_and_only_once(
    mail_server_up, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        queue(2)
        assert mail.outbox == []  # nothing leaves before the commit
    # The commit nudged the sender (Celery runs in-process here, as in `make run`).
    assert sorted(m.to[0] for m in mail.outbox) == ["person0@example.se", "person1@example.se"]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.SENT}
    assert outbox.send_due() == 0
    assert len(mail.outbox) == 2


def test_a_rolled_back_change_sends_nothing(mail_server_up, django_capture_on_commit_callbacks):
    with (  # noqa: PT012  (the write and its failure are one transaction)
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError, match="the change failed"),
        transaction.atomic(),
    ):
        queue()
        raise RuntimeError("the change failed")
    assert not OutboxMessage.objects.exists()
    assert outbox.send_due() == 0
    assert mail.outbox == []


def test_the_pause_between_tries_doubles_up_to_its_cap(settings):
    settings.AKRIM_OUTBOX_RETRY_SECONDS = 60
    settings.AKRIM_OUTBOX_RETRY_MAX_SECONDS = 3600
    pauses = [outbox.retry_delay(n).total_seconds() for n in range(1, 9)]
    assert pauses == [60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_while_the_mail_server_is_down_the_mail_waits_and_is_sent_when_it_returns(
    settings, mail_server_down
):
    settings.AKRIM_OUTBOX_RETRY_SECONDS = 60
    (message,) = queue()
    start = timezone.now()

    assert outbox.send_due(now=start) == 0
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.PENDING, 1)
    assert "mail server away" in message.last_error
    assert message.next_attempt_at >= start + timedelta(seconds=60)

    # Not tried again before its pause is over.
    assert outbox.send_due(now=start + timedelta(seconds=30)) == 0
    message.refresh_from_db()
    assert message.attempts == 1

    # Second failure: the pause doubles.
    second = message.next_attempt_at + timedelta(seconds=1)
    outbox.send_due(now=second)
    message.refresh_from_db()
    assert message.attempts == 2
    assert message.next_attempt_at >= timezone.now() + timedelta(seconds=119)

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    assert outbox.send_due(now=message.next_attempt_at + timedelta(seconds=1)) == 1
    message.refresh_from_db()
    assert (message.status, message.last_error) == (Status.SENT, "")
    assert [m.to for m in mail.outbox] == [["person0@example.se"]]


def test_after_the_last_try_the_mail_is_marked_failed_and_an_admin_can_send_it_again(
    settings, mail_server_down, persona
):
    settings.AKRIM_OUTBOX_MAX_ATTEMPTS = 2
    (message,) = queue()
    now = timezone.now()
    for _ in range(2):
        outbox.send_due(now=now)
        message.refresh_from_db()
        now = message.next_attempt_at + timedelta(seconds=1)
    assert (message.status, message.attempts) == (Status.FAILED, 2)
    assert outbox.send_due(now=now + timedelta(days=1)) == 0  # a failed mail stays failed

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    admin = persona("av", "admin")
    assert outbox.send_again([message.pk], actor=admin) == 1
    assert AuditEvent.objects.filter(action="outbox.send_again", actor=admin).count() == 1
    outbox.send_due()
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert len(mail.outbox) == 1


def test_a_claim_is_won_once(mail_server_up):
    (message,) = queue()
    assert outbox.claim(message.pk) is True
    assert outbox.claim(message.pk) is False
    # A claimed message is not sent by a sender that comes later.
    assert outbox.send_due() == 0
    assert mail.outbox == []


def test_a_mail_whose_sender_died_mid_send_is_not_sent_again(settings, mail_server_up):
    (message,) = queue()
    assert outbox.claim(message.pk)  # ... and the process died before marking it sent
    later = timezone.now() + timedelta(seconds=settings.AKRIM_OUTBOX_CLAIM_TIMEOUT_SECONDS + 1)
    assert outbox.send_due(now=later) == 0
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert "may not have arrived" in message.last_error
    assert mail.outbox == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_senders_running_at_once_send_each_mail_once(mail_server_up):
    # Stored directly: here (no test transaction) queueing would nudge a sender at once.
    OutboxMessage.objects.bulk_create(
        OutboxMessage(kind="test", subject="s", body="b", from_email="a@x.se", to=[to])
        for to in (f"person{i}@example.se" for i in range(30))
    )
    barrier = threading.Barrier(3)
    sent = [0, 0, 0]

    def run(index):
        try:
            barrier.wait(timeout=10)
            sent[index] = outbox.send_due()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(sent) == 30
    delivered = sorted(m.to[0] for m in mail.outbox)
    assert delivered == sorted(f"person{i}@example.se" for i in range(30))  # none twice
    assert OutboxMessage.objects.filter(status=Status.SENT).count() == 30


def test_password_reset_answers_the_same_with_the_mail_server_down_and_mails_later(
    client, persona, mail_server_down, settings, django_capture_on_commit_callbacks
):
    user = persona("skv", "analyst")
    user.email = "analyst@skv.invalid"
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "analyst@skv.invalid"})
    assert response.status_code == 302
    message = OutboxMessage.objects.get(kind="auth.password_reset")
    assert message.to == ["analyst@skv.invalid"]
    assert message.status == Status.PENDING

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    assert outbox.send_due(now=message.next_attempt_at + timedelta(seconds=1)) == 1
    (sent,) = mail.outbox
    assert sent.to == ["analyst@skv.invalid"]
    assert "/reset/" in sent.body  # the one-time link
