"""Password guessing: django-axes settings hooks and the audit entry of every failed login.

django-axes counts failed logins (the admin form, HTTP Basic on /ows/ and /api/, personal tokens)
and refuses a client after AXES_FAILURE_LIMIT failures for AXES_COOLOFF_TIME. SIP plugs in here:
which parameters a failure is counted by, the client's address, the Polish lockout answer, and an
audit entry for each failure.
"""

from __future__ import annotations

import ipaddress

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_client_ip_address, get_cool_off
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import render
from drf_spectacular.authentication import BasicScheme
from rest_framework.authentication import BasicAuthentication
from rest_framework.exceptions import AuthenticationFailed, Throttled

from . import audit

# The key under which a failed personal token is reported (never its value).
TOKEN_CREDENTIAL = "token"


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a locked-out client before any password is checked.

    Every login that comes over the network passes its request (the admin form, DRF's
    BasicAuthentication, layers.ogc.auth); a call without one (Django's test client ``login()``,
    a shell) cannot be attributed to a client, so it is left to the next backend instead of
    failing as axes' own backend does.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class LockoutBasicAuthentication(BasicAuthentication):
    """DRF's HTTP Basic, answering a locked-out client 429 with the lockout message.

    DRF passes its own Request to authenticate(), so the lockout mark django-axes sets lands on
    that wrapper, where axes' middleware never looks: without this the API would answer a
    locked-out client the same 401/403 as a wrong password.
    """

    def authenticate_credentials(self, userid, password, request=None):
        try:
            return super().authenticate_credentials(userid, password, request=request)
        except AuthenticationFailed:
            if getattr(request, "axes_locked_out", False):
                raise Throttled(wait=retry_after_seconds(), detail=lockout_message()) from None
            raise


class LockoutBasicScheme(BasicScheme):
    """The OpenAPI schema describes LockoutBasicAuthentication as plain HTTP Basic."""

    target_class = LockoutBasicAuthentication


def lockout_parameters(request, credentials) -> list:
    """Return what failures are counted by: a personal token by the client's address alone
    (there is no user name to go with it), a password by SIP_LOGIN_LOCKOUT_PARAMETERS."""
    if credentials and TOKEN_CREDENTIAL in credentials:
        return ["ip_address"]
    return settings.SIP_LOGIN_LOCKOUT_PARAMETERS


def client_ip(request) -> str | None:
    """Return the address failures are counted by: the peer, or, when the peer is one of
    SIP_TRUSTED_PROXIES, the last address that proxy appended to X-Forwarded-For (the left
    part of that header is whatever the client sent, so it is never believed)."""
    peer = request.META.get("REMOTE_ADDR") or None
    trusted = getattr(settings, "SIP_TRUSTED_PROXIES", None) or ()
    if not peer or not trusted:
        return peer
    try:
        peer_ip = ipaddress.ip_address(peer)
        networks = [ipaddress.ip_network(net.strip(), strict=False) for net in trusted if net.strip()]
    except ValueError:
        return peer
    if not any(peer_ip in net for net in networks):
        return peer
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        hop = hop.strip()
        try:
            hop_ip = ipaddress.ip_address(hop)
        except ValueError:
            return peer
        if not any(hop_ip in net for net in networks):
            return hop
    return peer


def lockout_message() -> str:
    """Return the Polish text a locked-out client is shown."""
    minutes = int(get_cool_off().total_seconds() // 60) if get_cool_off() else 0
    if minutes:
        return (
            f"Zbyt wiele nieudanych prób logowania: dostęp jest zablokowany na {minutes} min. "
            "Spróbuj ponownie później albo poproś administratora o odblokowanie."
        )
    return (
        "Zbyt wiele nieudanych prób logowania: dostęp jest zablokowany. Poproś administratora o odblokowanie."
    )


def retry_after_seconds() -> int:
    cool_off = get_cool_off()
    return int(cool_off.total_seconds()) if cool_off else 3600


def lockout_response(request, original_response=None, credentials=None):
    """The answer to a locked-out client (AXES_LOCKOUT_CALLABLE): the OGC endpoints build their
    own exception report and mark it, the API answers JSON, everything else a Polish page."""
    if original_response is not None and getattr(original_response, "sip_lockout", False):
        return original_response
    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.path_info.startswith("/api/") or "application/json" in request.META.get("HTTP_ACCEPT", ""):
        response = JsonResponse({"detail": lockout_message()}, status=status)
    else:
        from django.contrib import admin

        context = {**admin.site.each_context(request), "message": lockout_message()}
        response = render(request, "sip/lockout.html", context, status=status)
    response["Retry-After"] = str(retry_after_seconds())
    return response


@receiver(user_login_failed, dispatch_uid="sip.security.audit_failed_login")
def _audit_failed_login(sender, credentials, request=None, **kwargs):
    """One audit entry per failed login, with the name tried (never the password or token)."""
    credentials = credentials or {}
    via_token = TOKEN_CREDENTIAL in credentials
    username = "" if via_token else str(credentials.get(settings.AXES_USERNAME_FORM_FIELD) or "")
    audit.record_failed_login(
        username=username,
        method="token" if via_token else "password",
        ip=get_client_ip_address(request) if request is not None else None,
        path=request.path if request is not None else "",
        locked_out=bool(getattr(request, "axes_locked_out", False)),
    )
