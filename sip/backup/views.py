"""The central unit's page in the admin: per repository the newest backup, size, age, the WAL
archive, and the last drill; red when a backup is older than 26 h, the drill older than 35 days
or failed. Only the central unit may see it."""

from __future__ import annotations

from django.contrib import admin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse

from sip.tenancy import is_central_admin

from . import jobs
from .layout import Layout

CACHE_KEY = "sip-backup-status"
CACHE_SECONDS = 60


def current_status(*, refresh: bool = False) -> dict:
    """jobs.status, kept for a minute: it asks pgBackRest and restic, which takes seconds."""
    status = None if refresh else cache.get(CACHE_KEY)
    if status is None:
        status = jobs.status(Layout.from_env())
        cache.set(CACHE_KEY, status, CACHE_SECONDS)
    return status


def backup_status_view(request):
    if not is_central_admin(request.user):
        raise PermissionDenied("Stan kopii zapasowych widzi tylko jednostka centralna.")
    status = current_status(refresh=request.GET.get("odswiez") == "1")
    for repo in status["repositories"]:
        repo["red"] = (
            repo["age_s"] is None or repo["age_s"] > jobs.BACKUP_MAX_AGE_H * 3600 or repo["state"] != "ok"
        )
        repo["size_mb"] = round(repo["size"] / 1e6, 1) if repo.get("size") else None
    context = {
        **admin.site.each_context(request),
        "title": "Kopie zapasowe i próby odtworzenia",
        "status": status,
        "limits": {"backup_h": jobs.BACKUP_MAX_AGE_H, "drill_d": jobs.DRILL_MAX_AGE_D},
    }
    return TemplateResponse(request, "sip/admin/backup_status.html", context)
