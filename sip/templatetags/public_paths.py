"""The proxy's path prefix for paths a template writes itself (`?next=` from request.path).

A builtin of every template (TEMPLATES' "builtins"). Paths from {% url %} need nothing here:
behind a proxy that mounts SIP under a path (X-Forwarded-Prefix: /sip) Django's script prefix
carries it while the request is answered (sip.urls_public.answering), so reverse() writes it, as
under a WSGI SCRIPT_NAME; {% static %} does through the static files storage
(sip.storage.PublicStaticFilesStorage)."""

from __future__ import annotations

from django import template

from sip.urls_public import current_prefix

register = template.Library()


@register.simple_tag(takes_context=True)
def public_prefix(context) -> str:
    """The proxy's path prefix ("/sip" or ""), for a path a template writes itself (`?next=`)."""
    return current_prefix(context.get("request"))
