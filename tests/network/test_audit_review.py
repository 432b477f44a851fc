import pytest
from django.urls import reverse

from network.models import AuditEvent, AuditEventReview
from network.services import record_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(skv_staff, polis_staff):
    own = [
        record_event("case.viewed", actor=skv_staff, object_type="cases.case", object_id=n)
        for n in range(6)
    ]
    record_event("case.viewed", actor=polis_staff, object_type="cases.case", object_id=99)
    return own


def test_sample_draws_unreviewed_events_of_own_agency_and_is_audited(api, skv_auditor, events):
    client = api.as_user(skv_auditor)
    first = client.get(reverse("auditevent-sample"), {"n": 4, "action": "case.viewed"}).json()
    assert len(first) == 4
    assert {e["agency"] for e in first} == {"skv"}
    for event in first:
        assert client.post(reverse("auditevent-review", args=[event["id"]])).status_code == 200
    rest = client.get(reverse("auditevent-sample"), {"n": 10, "action": "case.viewed"}).json()
    assert {e["id"] for e in rest} == {e.pk for e in events} - {e["id"] for e in first}
    assert AuditEvent.objects.filter(action="audit.sampled", actor=skv_auditor).count() == 2
    assert AuditEvent.objects.filter(action="audit.reviewed").count() == 4


def test_review_is_recorded_once_and_shown_in_the_list(api, skv_auditor, events):
    client = api.as_user(skv_auditor)
    url = reverse("auditevent-review", args=[events[0].pk])
    assert client.post(url, {"note": "Kontrollerad"}).json()["reviewed"] is True
    client.post(url, {"note": "Igen"})
    review = AuditEventReview.objects.get()
    assert (review.note, review.reviewer) == ("Kontrollerad", skv_auditor)
    listed = client.get(reverse("auditevent-list"), {"object_id": "0"}).json()["results"]
    assert listed[0]["reviewed"] is True


def test_sample_size_is_validated(api, skv_auditor):
    response = api.as_user(skv_auditor).get(reverse("auditevent-sample"), {"n": 0})
    assert response.status_code == 400
    assert "n" in response.json()


def test_sample_page_in_the_browser(client, skv_auditor, events):
    client.force_login(skv_auditor)
    page = client.get(reverse("network:audit_sample"), {"n": 3}, follow=True)
    assert page.status_code == 200
    assert "?sample=" in page.redirect_chain[0][0]
    assert page.content.decode().count('name="note"') == 3
    # The sample keeps its address: coming back after a review shows the same events, less
    # the reviewed one, rather than a new draw.
    sample_url = page.redirect_chain[0][0]
    first = page.context["sample"][0]
    client.post(reverse("network:audit_review", args=[first.pk]), {"next": sample_url})
    again = client.get(sample_url)
    assert [e.pk for e in again.context["sample"]] == [e.pk for e in page.context["sample"][1:]]
    response = client.post(
        reverse("network:audit_review", args=[events[1].pk]),
        {"note": "", "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("network:audit_list")
    assert AuditEventReview.objects.filter(event=events[1]).exists()


def test_the_log_page_filters_in_words_and_pages_with_a_cursor(client, skv_auditor, events):
    """Actions as sentences and objects by kind in the filters (the codes are what is sent);
    newest first, 50 to a page, the next page by a cursor."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(skv_auditor)
    url = reverse("network:audit_list")
    page = client.get(url).content.decode()
    assert '<option value="case.viewed">Read the case</option>' in page
    assert '<option value="cases.case">Case</option>' in page
    assert 'name="object_id"' in page
    assert 'type="hidden"' in page

    shown = client.get(url, {"action": "case.viewed"}).context["events"]
    assert [e.object_id for e in shown] == ["5", "4", "3", "2", "1", "0"]  # own agency only

    for n in range(60):
        record_event("case.viewed", actor=events[0].actor, object_type="cases.case", object_id=n)
    first = client.get(url, {"action": "case.viewed"})
    assert len(first.context["events"]) == 50
    assert first.context["next_before"]
    assert 'rel="next"' in first.content.decode()
    second = client.get(url, {"action": "case.viewed", "before": first.context["next_before"]})
    rest = second.context["events"]
    assert len(rest) == 16
    assert not second.context["next_before"]
    assert {e.pk for e in first.context["events"]}.isdisjoint({e.pk for e in rest})
