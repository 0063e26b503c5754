"""Settings come from the environment; each case imports them in a fresh interpreter."""

import secrets
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PRINT_SETTING = (
    "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'helpdesk.settings'); django.setup(); "
    "from django.conf import settings; print({expression})"
)
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "help.example.org",
    "SITE_URL": "https://help.example.org",
}


@pytest.fixture
def run(tmp_path):
    def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
        # A clean environment, so variables of the developer's shell cannot leak in.
        full_env = {"PATH": "/usr/bin:/bin", "FRONTDESK_VAR_DIR": str(tmp_path), **env}
        return subprocess.run(
            [sys.executable, *args], cwd=PROJECT_ROOT, env=full_env, capture_output=True, text=True, timeout=60
        )

    return run


@pytest.fixture
def setting(run):
    def setting(expression: str, **env: str) -> str:
        result = run(["-c", PRINT_SETTING.format(expression=expression)], **env)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    return setting


def test_without_database_url_the_database_is_sqlite(setting):
    assert setting("settings.DATABASES['default']['ENGINE']") == "django.db.backends.sqlite3"


def test_sqlite_file_lives_in_the_var_dir(setting, tmp_path):
    assert setting("settings.DATABASES['default']['NAME']") == str(tmp_path / "frontdesk.sqlite3")


def test_database_url_selects_postgresql(setting):
    url = "postgres://u:p@127.0.0.1:5432/x"

    engine, name = setting(
        "settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME']", DATABASE_URL=url
    ).split()

    assert engine == "django.db.backends.postgresql"
    assert name == "x"


def test_debug_that_is_not_a_boolean_fails_naming_debug(run):
    result = run(["-c", PRINT_SETTING.format(expression="settings.DEBUG")], DEBUG="maybe")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_debug_off_without_secret_key_fails_naming_secret_key(run):
    env = {**PRODUCTION}
    del env["SECRET_KEY"]

    result = run(["-c", PRINT_SETTING.format(expression="settings.DEBUG")], **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set" in result.stderr


def test_production_settings_pass_the_deployment_checks(run):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr


def test_without_redis_url_celery_uses_the_file_system_broker(setting):
    assert setting("settings.CELERY_BROKER_URL") == "filesystem://"


def test_file_system_broker_keeps_its_queue_in_the_var_dir(setting, tmp_path):
    setting("settings.CELERY_BROKER_URL")

    assert (tmp_path / "celery" / "queue").is_dir()


def test_redis_url_becomes_the_celery_broker(setting):
    assert setting("settings.CELERY_BROKER_URL", REDIS_URL="redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
