"""A mail backend for the fault tests: each message becomes one JSON file in
`$AKRIM_FAULTS_MAIL_DIR`, so the test (another process) can count what was delivered.
Chosen with `EMAIL_BACKEND=tests.faults.mail_sink.FileSink`; production never loads it."""

import json
import os
import uuid
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class FileSink(BaseEmailBackend):
    def send_messages(self, email_messages):
        directory = Path(os.environ["AKRIM_FAULTS_MAIL_DIR"])
        for message in email_messages:
            record = {"to": message.to, "subject": message.subject, "body": message.body}
            target = directory / f"{uuid.uuid4().hex}.json"
            partial = target.with_suffix(".part")
            partial.write_text(json.dumps(record), encoding="utf-8")
            partial.rename(target)  # the reader never sees half a file
        return len(email_messages)


def delivered(directory: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(directory.glob("*.json"))]
