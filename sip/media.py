"""User-uploaded media as Django serves it (development, or SIP_SERVE_MEDIA without nginx):
never rendered by the browser as a page.

Only allow-listed image types are sent inline; anything else (HTML, SVG, PDF, XML, a GeoTIFF)
goes out as an attachment, and every answer carries `X-Content-Type-Options: nosniff`, so a
file the browser does not recognise as an image cannot run a script from SIP's origin. nginx
does the same in production (README, "Private files and media").
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core import checks
from django.http import Http404
from django.views.static import serve

INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})


def serve_media(request, path: str):
    """A file under MEDIA_ROOT, when Django is the one to serve media (DEBUG or SIP_SERVE_MEDIA)."""
    if not (settings.DEBUG or getattr(settings, "SIP_SERVE_MEDIA", False)):
        raise Http404("Pliki multimedialne udostępnia serwer WWW.")
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    harden_media_response(response)
    return response


def harden_media_response(response) -> None:
    """Attachment for anything but an allow-listed image type; nosniff always."""
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type not in INLINE_TYPES:
        response["Content-Disposition"] = "attachment"
    response["X-Content-Type-Options"] = "nosniff"


def _inside(child: Path, parent: Path) -> bool:
    return child == parent or parent in child.parents


@checks.register(checks.Tags.security, deploy=False)
def private_root_outside_public_roots(app_configs=None, **kwargs):
    """SIP_PRIVATE_ROOT must share no folder with MEDIA_ROOT or STATIC_ROOT, whatever the
    configuration: a private file under a public root would have a URL."""
    private = Path(settings.SIP_PRIVATE_ROOT).resolve()
    errors = []
    for setting in ("MEDIA_ROOT", "STATIC_ROOT"):
        value = getattr(settings, setting, None)
        if not value:
            continue
        public = Path(value).resolve()
        if _inside(private, public) or _inside(public, private):
            errors.append(
                checks.Error(
                    f"SIP_PRIVATE_ROOT ({private}) and {setting} ({public}) overlap: private files "
                    "would be reachable at a public URL.",
                    hint=f"Point SIP_PRIVATE_ROOT at a folder outside {setting}.",
                    id="sip.E001",
                )
            )
    return errors
