"""Private files: documents with personal data, kept outside MEDIA_ROOT and sent only by views
that have checked the caller's permissions.

A private file has no public URL. It is stored under SIP_PRIVATE_ROOT (STORAGES["private"]),
under a name with a random part, and a view hands it out with `private_file_response`, which
streams it from Django or, behind nginx or Apache, lets the server send it (X-Accel-Redirect or
X-Sendfile, chosen by SIP_PRIVATE_SENDFILE).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from urllib.parse import quote

from django.conf import settings
from django.contrib.staticfiles.storage import StaticFilesStorage
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage, storages
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header

from .urls_public import site_path, without_proxy_prefix

SENDFILE_MODES = ("", "x-accel-redirect", "x-sendfile")


def file_sha256(path) -> tuple[str, int]:
    """The SHA-256 (hex) and size in bytes of a file on disk."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


class RecordedStorageMixin:
    """Records every file written through the storage (sip.StoredFile: storage alias, name,
    size, SHA-256, time), the one place all uploads, PDFs, rasters and photos pass, so a
    restore can prove each file its rows name came back unchanged. Names are never reused
    while a file exists (Django's get_available_name adds a random suffix; allow_overwrite
    stays off), so a recorded checksum stays true for its name."""

    alias = ""

    def _save(self, name, content):
        from .models import StoredFile

        name = super()._save(name, content)
        sha256, size = file_sha256(self.path(name))
        StoredFile.objects.update_or_create(
            storage=self.alias, name=name, defaults={"sha256": sha256, "size": size}
        )
        return name


class ProxyFreeBaseURLMixin:
    """The storage's base URL read from its setting on each use, without the proxy's prefix.

    MEDIA_URL and STATIC_URL are relative ("media/"): Django puts the script prefix before them
    when they are read, and while a request behind the proxy is answered that prefix holds the
    proxy's path (sip.urls_public.answering). Django's storages keep the first value they read for
    the life of the process, so the first visitor's prefix would be every visitor's; read afresh
    and without it, the URL is the same for all, and the code that links it adds the visitor's
    prefix (site_path, absolute)."""

    base_url_setting = "MEDIA_URL"

    @property
    def base_url(self):
        return without_proxy_prefix(getattr(settings, self.base_url_setting))


class PublicStorage(ProxyFreeBaseURLMixin, RecordedStorageMixin, FileSystemStorage):
    """MEDIA_ROOT (photos, rasters of plan drawings): Django's file storage, recorded."""

    alias = "default"


class PrivateStorage(RecordedStorageMixin, FileSystemStorage):
    """File storage under SIP_PRIVATE_ROOT (read on every call, so tests can move it) that
    refuses to make a URL: nothing private may be linked past a permission check."""

    alias = "private"

    def __init__(self, location=None, **kwargs):
        kwargs.pop("base_url", None)
        super().__init__(location=location, base_url=None, **kwargs)
        self._fixed_location = location

    @property
    def base_location(self):
        return self._fixed_location or str(settings.SIP_PRIVATE_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError(
            "Plik prywatny nie ma publicznego adresu; udostępnia go tylko widok z kontrolą uprawnień."
        )


class PublicStaticFilesStorage(ProxyFreeBaseURLMixin, StaticFilesStorage):
    """Django's static files storage whose URLs carry the proxy prefix of the request being
    answered (X-Forwarded-Prefix: /sip gives /sip/static/…): {% static %}, the admin's and
    django-leaflet's."""

    base_url_setting = "STATIC_URL"

    def url(self, name):
        return site_path(super().url(name))


def private_storage():
    """The storage of private files (a callable, so a model field does not pin it in migrations)."""
    return storages["private"]


def random_name(folder: str, suffix: str) -> str:
    """A storage name in `folder` that nobody can guess: 32 random URL-safe characters."""
    return f"{folder.strip('/')}/{secrets.token_urlsafe(24)}{suffix}"


def private_file_response(field_file, *, filename: str, content_type: str, as_attachment: bool = True):
    """The HTTP answer that sends a private file; call it only after checking permissions.

    SIP_PRIVATE_SENDFILE "" streams the file from Django (FileResponse); "x-accel-redirect"
    answers with an X-Accel-Redirect header to SIP_PRIVATE_ACCEL_PREFIX + name (an `internal;`
    nginx location over SIP_PRIVATE_ROOT); "x-sendfile" answers with the file's absolute path in
    X-Sendfile (Apache mod_xsendfile, lighttpd).
    """
    mode = getattr(settings, "SIP_PRIVATE_SENDFILE", "")
    if mode not in SENDFILE_MODES:
        raise ImproperlyConfigured(f"SIP_PRIVATE_SENDFILE must be one of {SENDFILE_MODES}, not {mode!r}.")
    missing = Http404("Pliku tego dokumentu nie ma w magazynie plików; zgłoś to administratorowi.")
    storage = field_file.storage
    if not field_file.name or not storage.exists(field_file.name):
        raise missing
    if mode == "":
        return FileResponse(
            field_file.open("rb"), content_type=content_type, as_attachment=as_attachment, filename=filename
        )
    response = HttpResponse(content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    if mode == "x-accel-redirect":
        prefix = "/" + settings.SIP_PRIVATE_ACCEL_PREFIX.strip("/") + "/"
        response["X-Accel-Redirect"] = prefix + quote(field_file.name)
    else:
        response["X-Sendfile"] = storage.path(field_file.name)
    return response
