"""The Celery application. Settings come from Django's (CELERY_ namespace)."""

import os
import threading
from typing import Any

from celery import Celery
from celery.contrib.django.task import DjangoTask

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


class InProcessTask(DjangoTask):
    """Without a broker (`make run`, no REDIS_URL) tasks run in-process ("eager"), which
    makes the web request that queued them wait until they finish: "Ta fram" on the
    Lägesbild page would hang for the whole build. With AKRIM_TASKS_IN_THREAD=1 (set by
    `scripts/dev run`) an eager task runs in a background thread instead, so the request
    returns at once and the page follows the build's progress row as it does with a worker.
    Tests keep plain eager tasks (they expect the work done when the call returns)."""

    # celery-types spells out every option keyword; this passes them through unchanged.
    def apply_async(  # type: ignore[override]
        self, args: Any = None, kwargs: Any = None, **options: Any
    ) -> Any:
        if not (self.app.conf.task_always_eager and os.environ.get("AKRIM_TASKS_IN_THREAD")):
            return super().apply_async(args, kwargs, **options)
        thread = threading.Thread(
            target=self._run_in_thread, args=(args, kwargs, options), daemon=True
        )
        thread.start()
        return None  # the thread's task has no AsyncResult to wait on

    def _run_in_thread(self, args, kwargs, options):
        from django.db import connections

        try:
            super().apply_async(args, kwargs, **options)
        finally:
            connections.close_all()  # this thread's own connections


app = Celery("akrim", task_cls=InProcessTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
