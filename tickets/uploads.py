"""Checks on uploaded files: size, count, type, and a safe display name."""

import re
import unicodedata
from pathlib import PurePosixPath, PureWindowsPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

# Types shown inline in the browser; everything else is downloaded.
INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"}


def clean_filename(name: str) -> str:
    """The last path part only, without control characters or markup, at most 120 characters."""
    name = PureWindowsPath(PurePosixPath(name or "").name).name
    name = unicodedata.normalize("NFC", name)
    name = re.sub(r"[\x00-\x1f\x7f<>:\"/\\|?*]", "_", name).strip(" .")
    if len(name) > 120:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 120 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:120]
    return name or "attachment"


def extension(name: str) -> str:
    return PurePosixPath(clean_filename(name)).suffix.lower().lstrip(".")


def validate_uploads(files) -> None:
    """Raise one ValidationError listing every file that breaks a limit."""
    errors = []
    if len(files) > settings.ATTACHMENT_MAX_FILES:
        errors.append(f"Attach at most {settings.ATTACHMENT_MAX_FILES} files.")
    for upload in files:
        name = clean_filename(upload.name)
        if extension(name) not in settings.ATTACHMENT_ALLOWED_EXTENSIONS:
            allowed = ", ".join(sorted(settings.ATTACHMENT_ALLOWED_EXTENSIONS))
            errors.append(f"“{name}” is not an allowed type. Allowed: {allowed}.")
        elif upload.size > settings.ATTACHMENT_MAX_BYTES:
            limit = filesizeformat(settings.ATTACHMENT_MAX_BYTES)
            errors.append(f"“{name}” is {filesizeformat(upload.size)}; the limit is {limit} per file.")
        elif upload.size == 0:
            errors.append(f"“{name}” is empty.")
    if errors:
        raise ValidationError(errors)
