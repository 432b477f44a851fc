"""Break-the-glass never tells whether a case exists, and every attempt is audited
(docs/security.md "Separation of duties")."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from cases.coordination import services as case_services
from cases.coordination.models import AccessReview
from network.models import AuditEvent

pytestmark = pytest.mark.django_db

JUSTIFICATION = "Pågående gemensam kontroll på arbetsplatsen, behöver se ärendet nu."
UNKNOWN = "AK-1999-000001"


def same_page(response, reference):
    """The page with what differs per render (CSRF token, CSP nonce) and the reference the
    person typed taken out."""
    text = response.content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    text = re.sub(r'nonce="[^"]+"', "", text)
    return text.replace(reference, "REF")


def posted(client, reference, justification):
    client.get(reverse("cases:break_the_glass"))  # shows, and so ends, earlier messages
    response = client.post(
        reverse("cases:break_the_glass"),
        {"reference": reference, "justification": justification},
    )
    shown = [str(m).replace(reference, "REF") for m in get_messages(response.wsgi_request)]
    return response, shown


def test_the_page_answers_an_unknown_and_a_hidden_reference_alike(client, skv_staff, polis_staff):
    hidden = case_services.open_case(title="Skatteverkets utredning", actor=skv_staff)
    client.force_login(polis_staff)

    short_hidden, _ = posted(client, hidden.reference, "behövs")
    short_unknown, _ = posted(client, UNKNOWN, "behövs")
    assert short_hidden.status_code == short_unknown.status_code == 400
    assert [t.name for t in short_hidden.templates] == [t.name for t in short_unknown.templates]
    assert same_page(short_hidden, hidden.reference) == same_page(short_unknown, UNKNOWN)

    granted, granted_shown = posted(client, hidden.reference, JUSTIFICATION)
    unknown, unknown_shown = posted(client, UNKNOWN, JUSTIFICATION)
    assert granted.status_code == unknown.status_code == 302
    assert granted.url.replace(hidden.reference, "REF") == unknown.url.replace(UNKNOWN, "REF")
    assert granted_shown == unknown_shown
    assert len(granted_shown) == 1
    assert granted.content == unknown.content == b""

    # What one may see after it: the granted case, and nothing for the unknown reference.
    assert hidden.title in client.get(granted.url).content.decode()
    assert AccessReview.objects.get().case == hidden
    events = AuditEvent.objects.filter(action__startswith="case.break_the_glass").order_by("id")
    assert [(e.action, e.changes.get("reference"), e.object_id) for e in events] == [
        ("case.break_the_glass_refused", hidden.reference, str(hidden.pk)),
        ("case.break_the_glass_refused", UNKNOWN, ""),
        ("case.break_the_glass", None, str(hidden.pk)),
        ("case.break_the_glass_unknown", UNKNOWN, ""),
    ]
    assert all(e.actor_username == "polis.staff" for e in events)


def test_the_api_answers_an_unknown_and_a_hidden_reference_alike(api, skv_staff, polis_staff):
    hidden = case_services.open_case(title="Skatteverkets utredning", actor=skv_staff)
    client = api.as_user(polis_staff)
    url = reverse("case-break-the-glass")

    def answer(reference, justification):
        response = client.post(url, {"reference": reference, "justification": justification})
        return response.status_code, response.content.decode().replace(reference, "REF")

    assert answer(hidden.reference, "behövs") == answer(UNKNOWN, "behövs")
    assert answer(hidden.reference, "behövs")[0] == 400
    granted, unknown = answer(hidden.reference, JUSTIFICATION), answer(UNKNOWN, JUSTIFICATION)
    assert granted == unknown
    assert granted[0] == 202
    assert AccessReview.objects.get().case == hidden
    assert AuditEvent.objects.filter(action__startswith="case.break_the_glass").count() == 5


def test_an_attempt_without_the_capability_is_refused_and_audited(client, api, skv_staff, persona):
    """An analyst may not break the glass; asking anyway is refused (403) on the page and in
    the API, and both attempts are in the audit trail with the reference asked for."""
    hidden = case_services.open_case(title="Skatteverkets utredning", actor=skv_staff)
    analyst = persona("polis", "analyst")
    assert not analyst.has_perm("cases.break_glass_case")
    client.force_login(analyst)
    page = client.post(
        reverse("cases:break_the_glass"),
        {"reference": hidden.reference, "justification": JUSTIFICATION},
    )
    assert page.status_code == 403
    response = api.as_user(analyst).post(
        reverse("case-break-the-glass"), {"reference": UNKNOWN, "justification": JUSTIFICATION}
    )
    assert response.status_code == 403
    events = AuditEvent.objects.filter(action="case.break_the_glass_refused", actor=analyst)
    assert sorted(e.changes["reference"] for e in events) == sorted([hidden.reference, UNKNOWN])
    assert not AccessReview.objects.exists()
