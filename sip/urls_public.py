"""Public URLs as the visitor sees them: one helper for every absolute or page-relative link.

Behind a reverse proxy SIP may live under a path prefix (X-Forwarded-Prefix: /sip) on another
host and scheme (X-Forwarded-Host, -Proto, -Port). Those headers reach this point only from a
proxy named in SIP_TRUSTED_PROXIES (sip.middleware.TrustedProxyMiddleware removes them from anyone
else), and even then each value is checked before it is used. Without a request (a mail, a PDF
rendered by a worker) the base is the configured public address, SIP_PUBLIC_URL, which may carry
its own path prefix (https://gmina.example/sip)."""

from __future__ import annotations

import re
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.http.request import split_domain_port, validate_host
from django.urls import get_script_prefix, reverse, set_script_prefix

from .text import plain_int

# A path prefix such as /sip or /gis/sip: segments of URL-safe characters, never "//host".
_PREFIX = re.compile(r"(/[A-Za-z0-9._~-]+)+")
# The proxy prefix of the request being answered (sip.middleware.ForwardedPrefixMiddleware), for
# code that writes paths without the request at hand: {% static %} and static files' URLs in a
# library's template tag, media files' URLs.
_current_prefix: ContextVar[str] = ContextVar("sip_forwarded_prefix", default="")


def forwarded_prefix(request) -> str:
    """The path prefix the proxy strips ("/sip"), or "" (none, or not a plain path)."""
    if request is None:
        return ""
    prefix = request.META.get("HTTP_X_FORWARDED_PREFIX", "").strip().rstrip("/")
    return prefix if prefix and _PREFIX.fullmatch(prefix) else ""


def current_prefix(request=None) -> str:
    """The proxy prefix ("/sip") of `request`, or without one of the request being answered
    ("" outside a request)."""
    return forwarded_prefix(request) if request is not None else _current_prefix.get()


@contextmanager
def answering(request):
    """Within it, current_prefix() is the request's proxy prefix (ForwardedPrefixMiddleware), and
    so is the start of Django's script prefix: every path reverse() writes, the admin's own
    links built in Python, {% url %} and redirect() included, is under the prefix, as under a
    WSGI SCRIPT_NAME mount (which stays after it: /sip + /mount/…)."""
    prefix = forwarded_prefix(request)
    token = _current_prefix.set(prefix)
    script = get_script_prefix()
    if prefix:
        set_script_prefix(prefix + script)
    try:
        yield
    finally:
        if prefix:
            set_script_prefix(script)
        _current_prefix.reset(token)


def without_proxy_prefix(path: str) -> str:
    """A path that reverse() (or a relative STATIC_URL or MEDIA_URL) wrote while answering a
    request behind the proxy ("/sip/api/…"), without the proxy's prefix ("/api/…"): for code that
    puts a prefix of its own before it (absolute(), SIP_PUBLIC_URL's path, site_path())."""
    prefix = _current_prefix.get()
    if prefix and (path == prefix or path.startswith(f"{prefix}/")):
        return path[len(prefix) :] or "/"
    return path


def _reverse(name: str, args=None, kwargs=None) -> str:
    return without_proxy_prefix(reverse(name, args=args, kwargs=kwargs))


def site_path(path: str, request=None) -> str:
    """A path of SIP ("/media/x.jpg") as the visitor's browser must ask for it ("/sip/media/x.jpg"):
    under the proxy prefix of `request`, or without one of the request being answered."""
    if not path.startswith("/") or path.startswith("//"):
        return path  # another site's URL, or a relative one
    return current_prefix(request) + path


def public_location(location: str, request=None) -> str:
    """A redirect's target as the browser must follow it: a path of SIP ("/admin/") under the
    proxy prefix ("/sip/admin/"); a path already under it (a `?next=` the page wrote with the
    prefix), another site's URL and a relative one stay as they are."""
    prefix = current_prefix(request)
    if not prefix or not location.startswith("/") or location.startswith("//"):
        return location
    if location == prefix or location.startswith((f"{prefix}/", f"{prefix}?", f"{prefix}#")):
        return location
    return prefix + location


def _host_and_scheme(request) -> tuple[str, str]:
    proto = request.META.get("HTTP_X_FORWARDED_PROTO", "").split(",")[0].strip().lower()
    scheme = proto if proto in ("http", "https") else request.scheme
    host = request.get_host()
    forwarded = request.META.get("HTTP_X_FORWARDED_HOST", "").split(",")[0].strip()
    if forwarded:
        domain, _port = split_domain_port(forwarded)
        if domain and validate_host(domain, settings.ALLOWED_HOSTS):
            host = forwarded
    port = request.META.get("HTTP_X_FORWARDED_PORT", "").strip()
    if plain_int(port, max_digits=5) is not None and ":" not in host.rsplit("]", 1)[-1]:
        if port != {"http": "80", "https": "443"}[scheme]:
            host = f"{host}:{port}"
    return host, scheme


def public_base(request=None) -> str:
    """scheme://host[:port][/prefix] of SIP as the visitor reaches it, without a trailing "/"."""
    if request is None:
        return settings.SIP_PUBLIC_URL.rstrip("/")
    host, scheme = _host_and_scheme(request)
    return f"{scheme}://{host}{forwarded_prefix(request)}"


def public_path(name: str, *, args=None, kwargs=None, request=None) -> str:
    """The path of the named URL as the visitor's browser must ask for it ("/sip/api/…")."""
    if request is None:
        prefix = re.sub(r"^[a-z]+://[^/]*", "", settings.SIP_PUBLIC_URL.rstrip("/"))
    else:
        prefix = forwarded_prefix(request)
    return prefix + _reverse(name, args=args, kwargs=kwargs)


def absolute(path: str, request=None) -> str:
    """The absolute public URL of a path of SIP ("/verify/abc" -> "https://host/sip/verify/abc")."""
    return public_base(request) + "/" + path.lstrip("/")


def public_url(name: str, *, args=None, kwargs=None, request=None) -> str:
    """The absolute public URL of the named URL: from the request, or SIP_PUBLIC_URL without one."""
    return absolute(_reverse(name, args=args, kwargs=kwargs), request)


def request_url(request) -> str:
    """The absolute public URL of this request's own path (capabilities' OnlineResource)."""
    return absolute(request.path, request)
