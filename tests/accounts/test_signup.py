import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from accounts.models import User
from tests.conftest import PASSWORD

SIGNUP_URL = reverse("accounts:signup")


def signup_data(**overrides):
    return {
        "full_name": "Nina Newcomer",
        "email": "nina@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }


@pytest.mark.django_db
def test_sign_up_creates_the_user_and_signs_them_in(client):
    response = client.post(SIGNUP_URL, signup_data())

    assertRedirects(response, reverse("home"))
    user = User.objects.get(email="nina@example.com")
    assert user.full_name == "Nina Newcomer"
    assert user.check_password(PASSWORD)
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_sign_up_stores_the_email_in_lower_case(client):
    client.post(SIGNUP_URL, signup_data(email="Nina.Newcomer@Example.COM"))

    assert User.objects.filter(email="nina.newcomer@example.com").exists()


def test_sign_up_with_an_existing_email_shows_an_error_and_creates_nothing(client, end_user):
    response = client.post(SIGNUP_URL, signup_data(email=end_user.email))

    assertContains(response, "An account with this e-mail address already exists.")
    assert User.objects.count() == 1
    assert "_auth_user_id" not in client.session


def test_sign_up_with_an_existing_email_in_other_case_shows_an_error_and_creates_nothing(client, end_user):
    response = client.post(SIGNUP_URL, signup_data(email=end_user.email.upper()))

    assertContains(response, "An account with this e-mail address already exists.")
    assert User.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "message"),
    [("password", "This password is too common."), ("4815162342108", "This password is entirely numeric.")],
)
def test_sign_up_with_a_weak_password_shows_why_and_creates_nothing(client, password, message):
    response = client.post(SIGNUP_URL, signup_data(password1=password, password2=password))

    assertContains(response, message)
    assert not User.objects.exists()


@pytest.mark.django_db
def test_sign_up_with_mismatched_passwords_shows_an_error_and_creates_nothing(client):
    response = client.post(SIGNUP_URL, signup_data(password2=PASSWORD + "-typo"))

    assertContains(response, "The two password fields didn’t match.")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_sign_up_form_keeps_the_typed_name_and_email_after_an_error(client):
    response = client.post(SIGNUP_URL, signup_data(password2="something-else-entirely"))

    assertContains(response, 'value="Nina Newcomer"')
    assertContains(response, 'value="nina@example.com"')


def test_signed_in_user_visiting_sign_up_is_redirected_home(client, end_user):
    client.force_login(end_user)

    response = client.get(SIGNUP_URL)

    assertRedirects(response, reverse("home"))
