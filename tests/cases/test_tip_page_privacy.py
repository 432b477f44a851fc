"""The public tip page sets no cookie at all, yet refuses a tip sent from another site
(docs/security.md "The public tip page")."""

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from cases.tips.models import Tip
from tests.cases.test_tips import form

pytestmark = pytest.mark.django_db

HERE = "http://testserver"


@pytest.fixture(autouse=True)
def _fresh_limits(settings):
    """Rate limits of this test's own: a prefix no other test counts under. Clearing the
    cache would flush the Redis database the other xdist worker's sessions and Celery
    queue live in too."""
    settings.AKRIM_RATELIMIT_PREFIX = f"akrim-test-{uuid.uuid4().hex}:"
    settings.AKRIM_TIP_MIN_SECONDS = 0


@pytest.fixture
def browser():
    """A client that enforces CSRF checks as a browser's request meets them."""
    return Client(enforce_csrf_checks=True)


def no_cookie(response):
    assert not response.cookies, response.cookies
    assert "Set-Cookie" not in response.headers
    return response


def test_the_page_the_receipt_and_an_error_set_no_cookie(browser):
    url = reverse("tips:tip_form")
    page = no_cookie(browser.get(url))
    text = page.content.decode()
    assert page.status_code == 200
    assert "csrfmiddlewaretoken" not in text
    assert 'name="language"' not in text
    assert f'href="{url}?lang=en"' in text
    assert f'href="{url}?lang=sv"' in text
    error = no_cookie(browser.post(url, form(address=""), HTTP_ORIGIN=HERE))
    assert error.status_code == 400
    assert not Tip.objects.exists()
    receipt = no_cookie(browser.post(url, form(), HTTP_ORIGIN=HERE))
    assert receipt.status_code == 200
    assert Tip.objects.count() == 1
    assert Tip.objects.get().code in receipt.content.decode()
    assert not browser.cookies


def test_the_language_is_chosen_by_link_and_kept_through_the_post(browser):
    url = reverse("tips:tip_form")
    english = no_cookie(browser.get(f"{url}?lang=en"))
    assert '<html lang="en">' in english.content.decode()
    receipt = no_cookie(browser.post(f"{url}?lang=en", form(), HTTP_ORIGIN=HERE))
    assert "Thank you for your tip" in receipt.content.decode()
    assert Tip.objects.get().language == "en"
    swedish = no_cookie(browser.get(f"{url}?lang=sv"))
    assert '<html lang="sv">' in swedish.content.decode()
    assert no_cookie(browser.get(f"{url}?lang=xx")).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "null"},  # a sandboxed frame on another site
        {"HTTP_ORIGIN": "http://testserver.evil.example"},
        {"HTTP_REFERER": "https://evil.example/form.html"},
        {},  # neither header: refused too
    ],
)
def test_a_tip_from_another_site_is_refused_and_sets_no_cookie(browser, headers):
    response = no_cookie(browser.post(reverse("tips:tip_form"), form(), **headers))
    assert response.status_code == 403
    assert "The tip was not sent" in response.content.decode() or "Tipset skickades inte" in (
        response.content.decode()
    )
    assert not Tip.objects.exists()


def test_a_tip_from_this_site_by_referer_alone_is_taken(browser):
    response = browser.post(
        reverse("tips:tip_form"), form(), HTTP_REFERER=f"{HERE}{reverse('tips:tip_form')}"
    )
    assert no_cookie(response).status_code == 200
    assert Tip.objects.count() == 1


def test_a_trusted_origin_is_taken(browser, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://tips.example.se"]
    response = browser.post(reverse("tips:tip_form"), form(), HTTP_ORIGIN="https://tips.example.se")
    assert no_cookie(response).status_code == 200


def test_the_slow_down_page_sets_no_cookie(browser, settings):
    settings.AKRIM_RATE_LIMITS = {**settings.AKRIM_RATE_LIMITS, "tips:ip": (1, 60)}
    url = reverse("tips:tip_form")
    assert browser.post(url, form(), HTTP_ORIGIN=HERE).status_code == 200
    slow = no_cookie(browser.post(url, form(), HTTP_ORIGIN=HERE))
    assert slow.status_code == 429
