import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from accounts.models import AgentProfile

DESK_URL = reverse("tickets:desk")
HOME_URL = reverse("home")


def nav_link(url_name: str, text: str) -> str:
    return f'<a class="nav-link" href="{reverse(url_name)}">{text}</a>'


@pytest.mark.django_db
def test_guest_opening_the_desk_is_sent_to_sign_in_and_back(client):
    response = client.get(DESK_URL)

    assertRedirects(response, f"{reverse('accounts:login')}?next={DESK_URL}")


def test_end_user_opening_the_desk_gets_the_friendly_403_page(client, end_user):
    client.force_login(end_user)

    response = client.get(DESK_URL)

    assertContains(response, "You don't have access to this page", status_code=403)
    assertContains(response, "This page is for help desk agents.", status_code=403)
    assertNotContains(response, "Traceback", status_code=403)


def test_403_page_offers_to_sign_in_as_another_user(client, end_user):
    client.force_login(end_user)

    response = client.get(DESK_URL)

    assertContains(response, "Sign in as another user", status_code=403)
    assertContains(response, f'action="{reverse("accounts:logout")}"', status_code=403)


def test_signing_in_as_another_user_from_the_403_page_leads_to_sign_in_and_back(client, end_user):
    client.force_login(end_user)
    next_url = f"{reverse('accounts:login')}?next={DESK_URL}"

    response = client.post(reverse("accounts:logout"), {"next": next_url})

    assertRedirects(response, next_url)
    assert "_auth_user_id" not in client.session


def test_agent_opens_the_desk(client, agent):
    client.force_login(agent)

    response = client.get(DESK_URL)

    assert response.status_code == 200


def test_agent_with_an_inactive_agent_profile_gets_403_at_the_desk(client, agent):
    AgentProfile.objects.filter(user=agent).update(is_active=False)
    client.force_login(agent)

    response = client.get(DESK_URL)

    assertContains(response, "This page is for help desk agents.", status_code=403)


@pytest.mark.django_db
def test_guest_sees_sign_in_and_sign_up_in_the_navigation(client):
    response = client.get(HOME_URL)

    assertContains(response, nav_link("accounts:login", "Sign in"), html=True)
    assertContains(response, nav_link("accounts:signup", "Sign up"), html=True)


def test_end_user_sees_my_tickets_but_not_the_agent_desk_in_the_navigation(client, end_user):
    client.force_login(end_user)

    response = client.get(HOME_URL)

    assertContains(response, nav_link("tickets:mine", "My tickets"), html=True)
    assertNotContains(response, "Agent desk")


def test_agent_sees_the_agent_desk_in_the_navigation(client, agent):
    client.force_login(agent)

    response = client.get(HOME_URL)

    assertContains(response, nav_link("tickets:desk", "Agent desk"), html=True)


def test_agent_does_not_see_admin_in_the_navigation(client, agent):
    client.force_login(agent)

    response = client.get(HOME_URL)

    assertNotContains(response, nav_link("admin:index", "Admin"), html=True)


def test_admin_sees_admin_in_the_navigation(client, admin_user):
    client.force_login(admin_user)

    response = client.get(HOME_URL)

    assertContains(response, nav_link("admin:index", "Admin"), html=True)


@pytest.mark.django_db
def test_unknown_page_shows_the_friendly_404_page_with_a_link_home(client):
    response = client.get("/no-such-page/")

    assertContains(response, "Page not found", status_code=404)
    assertContains(response, f'href="{HOME_URL}"', status_code=404)


def test_layout_links_and_assets_are_the_real_urls(client, agent):
    from django.templatetags.static import static
    from django.urls import reverse

    client.force_login(agent)
    page = client.get(reverse("tickets:mine")).content.decode()
    for name in ("home", "tickets:new", "tickets:mine", "tickets:desk", "tickets:sla_report", "accounts:logout"):
        assert f'href="{reverse(name)}"' in page or f'action="{reverse(name)}"' in page
    assert f'href="{static("css/frontdesk.css")}"' in page and f'src="{static("js/frontdesk.js")}"' in page


def test_layout_links_follow_the_script_prefix(rf):
    from django.contrib.auth.models import AnonymousUser
    from django.urls import get_script_prefix, set_script_prefix

    from accounts.context_processors import roles

    request = rf.get("/")
    request.user = AnonymousUser()
    before = get_script_prefix()
    set_script_prefix("/helpdesk/")
    try:
        assert roles(request)["layout"]["login"] == "/helpdesk/accounts/login/"
    finally:
        set_script_prefix(before)
    assert roles(request)["layout"]["login"] == "/accounts/login/"
