"""Celery tasks of the network app. Thin: ids in, a service does the work."""

import socket

from celery import shared_task

from network import outbox, services


@shared_task(name="network.tasks.record_worker_heartbeat", ignore_result=True)
def record_worker_heartbeat(name: str = "worker") -> str:
    """Beat sends this every minute; the health page shows when a worker last ran it."""
    services.record_worker_heartbeat(name, hostname=socket.gethostname())
    return name


@shared_task(name="network.tasks.send_outbox", ignore_result=True)
def send_outbox() -> int:
    """Send the e-mails that are due (beat, every minute; also nudged after a commit)."""
    return outbox.send_due()
