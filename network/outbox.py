"""The e-mail outbox: every e-mail akrim sends is first a row, written in the transaction of the
change that causes it, and sent afterwards by `network.tasks.send_outbox` (beat, every
minute, and nudged once the transaction commits). docs/operations.md, *E-mail outbox*.

Why: sending from the request (or queueing a Celery task from it) ties the request to Redis
and the mail server. With the outbox the request only writes a row; if Redis is away the
nudge is skipped and beat picks the message up later, and if the mail server is away the
message waits and is retried with a growing pause.

At most once: a message is claimed by a conditional UPDATE (pending → sending) before it is
handed to the mail server, and only the process whose UPDATE changed the row sends it. A
sender that dies between claiming and marking it sent leaves it `sending`; after
`AKRIM_OUTBOX_CLAIM_TIMEOUT_SECONDS` it is marked failed (it may or may not have arrived),
never sent again by itself. An administrator can send a failed message again in the admin.
"""

import logging
import threading
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, models, transaction
from django.utils import timezone

from network.models import OutboxMessage, User

log = logging.getLogger(__name__)

Status = OutboxMessage.Status


def enqueue_mail(
    *,
    kind: str,
    subject: str,
    body: str,
    to: Iterable[str],
    html_body: str = "",
    from_email: str | None = None,
) -> list[OutboxMessage]:
    """Store one message per recipient (no one sees another's address; one refused address
    does not hold back the others) in the caller's transaction; they are sent after it
    commits. Nothing is stored if the transaction rolls back."""
    recipients = sorted({address.strip() for address in to if address and address.strip()})
    messages = OutboxMessage.objects.bulk_create(
        OutboxMessage(
            kind=kind[:60],
            subject=" ".join(subject.split())[:250],  # a header: one line
            body=body,
            html_body=html_body,
            from_email=from_email or settings.DEFAULT_FROM_EMAIL,
            to=[address],
        )
        for address in recipients
    )
    if messages and not _nudge_registered():
        transaction.on_commit(nudge_sender)
    return messages


def _nudge_registered() -> bool:
    """One nudge per transaction is enough, however many messages it stores."""
    return any(entry[1] is nudge_sender for entry in connection.run_on_commit)


def nudge_sender() -> None:
    """Ask a worker to send now rather than at beat's next minute. Best effort: when the
    broker is away this must neither hold up nor fail the request, so the message is
    published from a short-lived thread (reaching a Redis that is down takes seconds of
    retries inside the client), and after a failed nudge this process skips nudging for
    `NUDGE_PAUSE_SECONDS`; beat sends the mail anyway. Without Redis (the embedded default,
    `make run`) Celery runs the task in-process, right here, which is how that mode mails."""
    from network.tasks import send_outbox

    if send_outbox.app.conf.task_always_eager:
        send_outbox.apply()
        return
    if time.monotonic() < _nudges_paused_until:
        return
    threading.Thread(target=_publish_nudge, name="outbox-nudge", daemon=True).start()


NUDGE_PAUSE_SECONDS = 30
_nudges_paused_until = 0.0


def _publish_nudge() -> None:
    global _nudges_paused_until
    from network.tasks import send_outbox

    try:
        send_outbox.apply_async(retry=False)
    except Exception:  # the broker is down or unreachable: beat will send the mail
        _nudges_paused_until = time.monotonic() + NUDGE_PAUSE_SECONDS
        log.warning("outbox: could not nudge the sender; beat sends the mail", exc_info=True)


def retry_delay(attempts: int) -> timedelta:
    """The pause after the `attempts`-th failed try: doubling from
    `AKRIM_OUTBOX_RETRY_SECONDS`, at most `AKRIM_OUTBOX_RETRY_MAX_SECONDS`."""
    base = settings.AKRIM_OUTBOX_RETRY_SECONDS
    seconds = min(base * 2 ** max(attempts - 1, 0), settings.AKRIM_OUTBOX_RETRY_MAX_SECONDS)
    return timedelta(seconds=seconds)


def claim(message_id: int, *, now: datetime | None = None) -> bool:
    """Take a due message for sending. True for exactly one caller, however many race."""
    now = now or timezone.now()
    return bool(
        OutboxMessage.objects.filter(
            pk=message_id, status=Status.PENDING, next_attempt_at__lte=now
        ).update(status=Status.SENDING, claimed_at=now, attempts=models.F("attempts") + 1)
    )


def send_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Send the messages that are due, oldest first; returns how many were sent. Stops at
    the first failure (the mail server is probably away): the failed message waits for its
    retry, the others for the next run."""
    now = now or timezone.now()
    _give_up_interrupted(now)
    _forget_old(now)
    due = list(
        OutboxMessage.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    mailer = None
    try:
        for pk in due:
            if not claim(pk, now=now):
                continue  # another sender took it
            message = OutboxMessage.objects.get(pk=pk)
            try:
                mailer = mailer or mailers.default
                _deliver(message, mailer)
            except Exception as exc:
                _failed(message, exc)
                break
            OutboxMessage.objects.filter(pk=pk, status=Status.SENDING).update(
                status=Status.SENT, sent_at=timezone.now(), last_error=""
            )
            sent += 1
    finally:
        if mailer is not None:
            try:
                mailer.close()
            except Exception:
                log.warning("outbox: closing the mail connection failed", exc_info=True)
    return sent


def _deliver(message: OutboxMessage, mailer: BaseEmailBackend) -> None:
    email = EmailMultiAlternatives(message.subject, message.body, message.from_email, message.to)
    if message.html_body:
        email.attach_alternative(message.html_body, "text/html")
    mailer.send_messages([email])


def _failed(message: OutboxMessage, exc: Exception) -> None:
    """The mail server refused or could not be reached: wait and try again, or give up
    after `AKRIM_OUTBOX_MAX_ATTEMPTS` tries."""
    error = f"{type(exc).__name__}: {exc}"[:2000]
    update: dict[str, Any]
    if message.attempts >= settings.AKRIM_OUTBOX_MAX_ATTEMPTS:
        update = {"status": Status.FAILED}
        log.error(
            "outbox: giving up on message %s after %s tries: %s",
            message.pk,
            message.attempts,
            error,
        )
    else:
        update = {
            "status": Status.PENDING,
            "next_attempt_at": timezone.now() + retry_delay(message.attempts),
        }
        log.warning("outbox: message %s not sent (try %s): %s", message.pk, message.attempts, error)
    OutboxMessage.objects.filter(pk=message.pk, status=Status.SENDING).update(
        last_error=error, **update
    )


def _give_up_interrupted(now: datetime) -> None:
    """A claim older than the timeout belongs to a sender that died mid-send. The message
    may have reached the mail server, so it is not sent again by itself (at most once)."""
    cutoff = now - timedelta(seconds=settings.AKRIM_OUTBOX_CLAIM_TIMEOUT_SECONDS)
    lost = OutboxMessage.objects.filter(status=Status.SENDING, claimed_at__lt=cutoff).update(
        status=Status.FAILED,
        last_error="The sender stopped while sending; the message may not have arrived.",
    )
    if lost:
        log.error("outbox: %s message(s) interrupted while sending, marked failed", lost)


def _forget_old(now: datetime) -> None:
    """Sent messages are kept `AKRIM_OUTBOX_KEEP_DAYS` for tracing, then deleted: they
    repeat what the rest of the database says, with e-mail addresses."""
    cutoff = now - timedelta(days=settings.AKRIM_OUTBOX_KEEP_DAYS)
    OutboxMessage.objects.filter(status=Status.SENT, sent_at__lt=cutoff).delete()


@transaction.atomic
def send_again(message_ids: Iterable[int], *, actor: User) -> int:
    """An administrator's decision to retry failed messages (after checking that an
    interrupted one did not arrive). Audited with the ids; they go out at the next run."""
    from network.services import record_event

    failed = OutboxMessage.objects.select_for_update().filter(
        pk__in=list(message_ids), status=Status.FAILED
    )
    ids = sorted(failed.values_list("pk", flat=True))
    count = OutboxMessage.objects.filter(pk__in=ids).update(
        status=Status.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error=""
    )
    if count:
        record_event("outbox.send_again", actor=actor, changes={"messages": ids})
        transaction.on_commit(nudge_sender)
    return count
