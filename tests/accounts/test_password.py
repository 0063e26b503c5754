import re

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from tests.conftest import PASSWORD

NEW_PASSWORD = "a-brand-new-passphrase-42"
RESET_URL = reverse("accounts:password_reset")
SITE_URL = "https://help.example.org"


@pytest.fixture
def site(settings):
    settings.SITE_URL = SITE_URL
    settings.ALLOWED_HOSTS = ["testserver", "evil.example", "help.example.org"]
    return settings


def reset_link(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def without_csrf_tokens(content: bytes) -> str:
    return re.sub(r"[A-Za-z0-9]{64}", "<token>", content.decode())


def test_signed_in_user_changes_their_password(client, end_user):
    client.force_login(end_user)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assertRedirects(response, reverse("accounts:password_change_done"))
    end_user.refresh_from_db()
    assert end_user.check_password(NEW_PASSWORD)
    assert client.session["_auth_user_id"] == str(end_user.pk)


def test_password_change_needs_the_current_password(client, end_user):
    client.force_login(end_user)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "not-my-password", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assertContains(response, "Your old password was entered incorrectly.")
    end_user.refresh_from_db()
    assert end_user.check_password(PASSWORD)


@pytest.mark.django_db
def test_password_change_sends_a_guest_to_sign_in(client):
    url = reverse("accounts:password_change")

    response = client.get(url)

    assertRedirects(response, f"{reverse('accounts:login')}?next={url}")


def test_password_reset_for_a_known_address_sends_one_mail(client, end_user, site, mailoutbox):
    client.post(RESET_URL, {"email": end_user.email})

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [end_user.email]
    assert mailoutbox[0].subject == "Reset your Frontdesk password"


def test_password_reset_link_uses_site_url_even_with_a_forged_host_header(client, end_user, site, mailoutbox):
    client.post(RESET_URL, {"email": end_user.email}, HTTP_HOST="evil.example")

    assert reset_link(mailoutbox[0]).startswith(f"{SITE_URL}/accounts/password/reset/")
    assert "evil.example" not in mailoutbox[0].body


def test_password_reset_mail_says_when_the_link_expires(client, end_user, site, mailoutbox):
    client.post(RESET_URL, {"email": end_user.email})

    assert "expires in 24 hours" in mailoutbox[0].body
    assert "If you didn't ask for a new password, ignore this e-mail" in mailoutbox[0].body


def test_password_reset_for_an_unknown_address_shows_the_same_page(client, end_user, site):
    known = client.post(RESET_URL, {"email": end_user.email}, follow=True)
    unknown = client.post(RESET_URL, {"email": "nobody@example.com"}, follow=True)

    assert unknown.redirect_chain == known.redirect_chain
    assertContains(unknown, "If an account exists for that address, we've e-mailed a link")
    assert without_csrf_tokens(unknown.content) == without_csrf_tokens(known.content)


@pytest.mark.django_db
def test_password_reset_for_an_unknown_address_sends_no_mail(client, site, mailoutbox):
    client.post(RESET_URL, {"email": "nobody@example.com"})

    assert mailoutbox == []


def test_reset_link_lets_the_user_set_a_new_password_and_sign_in_with_it(client, end_user, site, mailoutbox):
    client.post(RESET_URL, {"email": end_user.email})
    path = reset_link(mailoutbox[0]).removeprefix(SITE_URL)

    form_page = client.get(path, follow=True)
    assertContains(form_page, "Choose a new password")
    set_password_url = form_page.redirect_chain[-1][0]

    done = client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assertRedirects(done, reverse("accounts:password_reset_complete"))
    client.post(reverse("accounts:login"), {"username": end_user.email, "password": NEW_PASSWORD})
    assert client.session["_auth_user_id"] == str(end_user.pk)


def test_reset_link_with_a_tampered_token_shows_the_invalid_link_page(client, end_user, site, mailoutbox):
    client.post(RESET_URL, {"email": end_user.email})
    path = reset_link(mailoutbox[0]).removeprefix(SITE_URL)
    tampered = re.sub(r"[^/]+/$", "0000-ffffffffffffffffffffffffffffffff/", path)

    response = client.get(tampered)

    assertContains(response, "The link is invalid or has expired.")
    assertContains(response, f'href="{RESET_URL}"')
    end_user.refresh_from_db()
    assert end_user.check_password(PASSWORD)
