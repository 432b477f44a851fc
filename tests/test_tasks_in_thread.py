"""`make run` has no worker: with AKRIM_TASKS_IN_THREAD the in-process tasks run in a thread,
so asking for a Lägesbild returns at once and the page can follow the build's progress."""

import threading

import pytest

from reports import services
from reports.models import BuildStatus, ReportBuild


@pytest.mark.django_db(transaction=True)
def test_a_build_asked_for_runs_beside_the_request(monkeypatch, persona):
    monkeypatch.setenv("AKRIM_TASKS_IN_THREAD", "1")
    # Only the thread this test starts is waited for: a browser journey earlier in the same
    # process leaves the live server's daemon threads running, and joining those waited
    # out the timeout (docs/testing.md, "Browser journeys in the same run").
    before = set(threading.enumerate())
    release, ran_in = threading.Event(), []
    real_run = services.run_build

    def run_when_released(build_id):
        ran_in.append(threading.get_ident())
        release.wait(timeout=60)
        return real_run(build_id)

    monkeypatch.setattr(services, "run_build", run_when_released)
    build, _created = services.request_build(year=2025, actor=persona("av", "analyst"))

    # The call came back while the build is still held: the person sees "running" and polls.
    assert ReportBuild.objects.get(pk=build.pk).status in (BuildStatus.QUEUED, BuildStatus.RUNNING)
    started = [t for t in threading.enumerate() if t not in before and t.daemon]
    assert started, "the build runs in no thread of its own"
    release.set()
    for thread in started:
        thread.join(timeout=120)
    assert ran_in
    assert ran_in[0] != threading.get_ident()
    assert ReportBuild.objects.get(pk=build.pk).status == BuildStatus.READY
