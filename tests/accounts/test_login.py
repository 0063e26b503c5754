import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from tests.conftest import PASSWORD

LOGIN_URL = reverse("accounts:login")
LOGOUT_URL = reverse("accounts:logout")
LOCKED_OUT_TEXT = "Too many failed sign-in attempts"


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def fail_to_sign_in(client, email, times, **headers):
    for _ in range(times):
        client.post(LOGIN_URL, {"username": email, "password": "not-the-password"}, **headers)


def test_user_signs_in_with_email_and_password(client, end_user):
    response = client.post(LOGIN_URL, {"username": end_user.email, "password": PASSWORD})

    assertRedirects(response, reverse("home"))
    assert signed_in_user_id(client) == str(end_user.pk)


def test_email_is_matched_regardless_of_case_at_sign_in(client, end_user):
    client.post(LOGIN_URL, {"username": end_user.email.upper(), "password": PASSWORD})

    assert signed_in_user_id(client) == str(end_user.pk)


def test_wrong_password_shows_a_form_error_and_does_not_sign_in(client, end_user):
    response = client.post(LOGIN_URL, {"username": end_user.email, "password": "wrong-password"})

    assertContains(response, "Please enter a correct e-mail address and password.")
    assert signed_in_user_id(client) is None


def test_login_page_keeps_next_in_a_hidden_field(client, db):
    response = client.get(LOGIN_URL, {"next": "/tickets/mine/"})

    assertContains(response, '<input type="hidden" name="next" value="/tickets/mine/">', html=True)


def test_off_site_next_is_ignored_after_sign_in(client, end_user):
    response = client.post(
        LOGIN_URL, {"username": end_user.email, "password": PASSWORD, "next": "https://evil.example/"}
    )

    assertRedirects(response, reverse("home"))


def test_on_site_next_is_followed_after_sign_in(client, end_user):
    response = client.post(LOGIN_URL, {"username": end_user.email, "password": PASSWORD, "next": "/tickets/mine/"})

    assertRedirects(response, "/tickets/mine/")


def test_sixth_attempt_after_five_failures_is_locked_out_even_with_the_right_password(client, end_user):
    fail_to_sign_in(client, end_user.email, times=5)

    response = client.post(LOGIN_URL, {"username": end_user.email, "password": PASSWORD})

    assertContains(response, LOCKED_OUT_TEXT, status_code=429)
    assertContains(response, "try again in 15 minutes", status_code=429)
    assert signed_in_user_id(client) is None


def test_locked_out_page_offers_a_password_reset(client, end_user):
    fail_to_sign_in(client, end_user.email, times=5)

    response = client.post(LOGIN_URL, {"username": end_user.email, "password": PASSWORD})

    assertContains(response, f'href="{reverse("accounts:password_reset")}"', status_code=429)


def test_spoofed_forwarded_for_header_does_not_avoid_the_lock_out(client, end_user):
    for attempt in range(5):
        fail_to_sign_in(client, end_user.email, times=1, HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}")

    response = client.post(
        LOGIN_URL, {"username": end_user.email, "password": PASSWORD}, HTTP_X_FORWARDED_FOR="198.51.100.7"
    )

    assertContains(response, LOCKED_OUT_TEXT, status_code=429)
    assert signed_in_user_id(client) is None


def test_lock_out_of_one_user_does_not_lock_another_user_from_the_same_address(client, end_user, other_end_user):
    fail_to_sign_in(client, end_user.email, times=5)

    response = client.post(LOGIN_URL, {"username": other_end_user.email, "password": PASSWORD})

    assertRedirects(response, reverse("home"))
    assert signed_in_user_id(client) == str(other_end_user.pk)


def test_changing_the_case_of_the_email_does_not_avoid_the_lock_out(client, end_user):
    fail_to_sign_in(client, end_user.email, times=5)

    response = client.post(LOGIN_URL, {"username": end_user.email.upper(), "password": PASSWORD})

    assert response.status_code == 429
    assert signed_in_user_id(client) is None


def test_logout_by_get_is_not_allowed(client, end_user):
    client.force_login(end_user)

    response = client.get(LOGOUT_URL)

    assert response.status_code == 405
    assert signed_in_user_id(client) == str(end_user.pk)


def test_logout_by_post_signs_out(client, end_user):
    client.force_login(end_user)

    response = client.post(LOGOUT_URL)

    assertRedirects(response, reverse("home"))
    assert signed_in_user_id(client) is None


@pytest.mark.parametrize("who, sees_desk", [("end_user", False), ("agent", True)])
def test_signed_in_pages_read_the_user_and_its_agent_profile_in_one_query(client, request, who, sees_desk):
    user = request.getfixturevalue(who)
    client.post(LOGIN_URL, {"username": user.email, "password": PASSWORD})

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("home"))

    assert (reverse("tickets:desk") in response.content.decode()) is sees_desk
    user_queries = [q["sql"] for q in captured if '"accounts_user"' in q["sql"] or "accounts_agentprofile" in q["sql"]]
    assert len(user_queries) == 1 and "accounts_agentprofile" in user_queries[0]
