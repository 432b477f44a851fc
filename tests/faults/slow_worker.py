"""The Celery app for the SIGKILL test: akrim's own app, with the PDF step of a Lägesbild build
held open, so that the test kills the worker in the middle of a build deterministically (not by
racing a timer against a fast build).

Used only as `celery -A tests.faults.slow_worker worker` by tests/faults; production runs
`celery -A config worker`, which never imports this module. When the held step is reached it
writes the build's id to the file named by AKRIM_FAULT_MARK, then sleeps until killed.
"""

import os
import time
from pathlib import Path

from celery.signals import task_prerun

from config.celery import app

__all__ = ["app"]


@task_prerun.connect
def _hold_the_pdf_step(**_kwargs):
    from reports import rendering

    if getattr(rendering.as_pdf, "held", False):
        return

    def held(build, report):
        Path(os.environ["AKRIM_FAULT_MARK"]).write_text(str(build.pk))
        time.sleep(600)
        raise AssertionError("the fault test should have killed this worker")

    held.held = True
    rendering.as_pdf = held
