import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tickets import services


def upload(name="screen.png", content=b"\x89PNG fake image bytes", content_type="image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def ticket(end_user, topic):
    return services.open_ticket(requester=end_user, topic=topic, subject="Laptop is slow", body="Takes ages to boot.")
