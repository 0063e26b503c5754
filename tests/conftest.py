import os

import factory
import pytest
from django.conf import settings

from accounts.models import AgentProfile, User
from helpdesk.celery import app as celery_app
from sla.models import SLA
from tickets.models import Department, HelpTopic

# Tests never need the real broker unless they ask for it (see the redis marker).
celery_app.conf.task_always_eager = True
celery_app.conf.task_eager_propagates = True

PASSWORD = "correct-horse-battery-staple"


def pytest_collection_modifyitems(config, items):
    is_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    for item in items:
        if "postgres" in item.keywords and not is_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://…"))
        if "redis" in item.keywords and not os.environ.get("REDIS_URL"):
            item.add_marker(pytest.mark.skip(reason="needs Redis: set REDIS_URL=redis://…"))


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # Hashing is deliberately slow; tests create many users and gain nothing from it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)


class SLAFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SLA

    name = factory.Sequence(lambda n: f"SLA {n}")
    first_response_hours = 4
    resolution_hours = 24


class ScheduleFactory(factory.django.DjangoModelFactory):
    """Office hours: Monday to Friday, 09:00–17:00 in Berlin. Pass spans=[(weekday, "HH:MM", "HH:MM"), …]."""

    class Meta:
        model = "sla.Schedule"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Schedule {n}")
    time_zone = "Europe/Berlin"

    @factory.post_generation
    def spans(schedule, create, extracted, **kwargs):
        if not create:
            return
        spans = [(day, "09:00", "17:00") for day in range(5)] if extracted is None else extracted
        for weekday, start, end in spans:
            schedule.spans.create(weekday=weekday, start=start, end=end)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"Department {n}")
    email = factory.Sequence(lambda n: f"dept{n}@example.com")


class HelpTopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HelpTopic

    name = factory.Sequence(lambda n: f"Topic {n}")
    department = factory.SubFactory(DepartmentFactory)
    instructions = "Tell us which device is affected."


def make_agent(department=None, *, all_departments=False, **user_fields) -> User:
    user = UserFactory(**user_fields)
    profile = AgentProfile.objects.create(user=user, all_departments=all_departments)
    if department is not None:
        department.agents.add(profile)
    return user


@pytest.fixture
def department(db):
    return DepartmentFactory(name="IT Support")


@pytest.fixture
def other_department(db):
    return DepartmentFactory(name="Accounts")


@pytest.fixture
def topic(department):
    return HelpTopicFactory(name="Laptop problem", department=department)


@pytest.fixture
def end_user(db):
    return UserFactory(email="enduser@example.com", full_name="Erin User")


@pytest.fixture
def other_end_user(db):
    return UserFactory(email="other@example.com", full_name="Oscar Other")


@pytest.fixture
def agent(department):
    return make_agent(department, email="agent@example.com", full_name="Alex Agent")


@pytest.fixture
def other_agent(other_department):
    """An agent of another department."""
    return make_agent(other_department, email="agent2@example.com", full_name="Bea Beyond")


@pytest.fixture
def admin_user(db):
    user = make_agent(all_departments=True, email="admin@example.com", full_name="Ada Admin")
    user.is_staff = user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    return user
