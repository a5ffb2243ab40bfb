"""OGC exceptions of the WMS (1.3.0 and 1.1.1): one class per exception code, as django-gisserver
has them for the WFS.

Each class knows its code (``code``; how WMS 1.1.1 names it, ``code_111``, where that differs),
its HTTP status and the parameter it points at (``locator``). The message is Polish and meant
for the user. ``exception_response`` writes any of them as the version's exception report.
"""

from __future__ import annotations

from django.http import HttpResponse
from lxml import etree

OGC_NS = "http://www.opengis.net/ogc"


class OGCException(Exception):
    """A request the service refuses; without a code of its own (a failed login, a busy server)."""

    code: str | None = None
    # The code in a WMS 1.1.1 report, when 1.1.1 names it otherwise.
    code_111: str | None = None
    status: int = 400

    def __init__(self, message: str, locator: str | None = None, *, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.locator = locator
        if status is not None:
            self.status = status

    def code_for(self, version: str) -> str | None:
        if version == "1.1.1" and self.code_111:
            return self.code_111
        return self.code


class InvalidParameterValue(OGCException):
    code = "InvalidParameterValue"


class MissingParameterValue(OGCException):
    code = "MissingParameterValue"


class LayerNotDefined(OGCException):
    """A layer that does not exist or that the caller may not see (the same answer for both)."""

    code = "LayerNotDefined"


class LayerNotQueryable(OGCException):
    code = "LayerNotQueryable"


class StyleNotDefined(OGCException):
    code = "StyleNotDefined"


class InvalidCRS(OGCException):
    """WMS 1.3.0's InvalidCRS is 1.1.1's InvalidSRS."""

    code = "InvalidCRS"
    code_111 = "InvalidSRS"


class InvalidFormat(OGCException):
    code = "InvalidFormat"


class InvalidPoint(OGCException):
    code = "InvalidPoint"


class OperationNotSupported(OGCException):
    code = "OperationNotSupported"


class CurrentUpdateSequence(OGCException):
    code = "CurrentUpdateSequence"


class InvalidUpdateSequence(OGCException):
    code = "InvalidUpdateSequence"


class NotAuthenticated(OGCException):
    """Wrong credentials: 401 with WWW-Authenticate, no OGC code."""

    status = 401


class TooManyAttempts(OGCException):
    """The caller's logins are locked out for a while."""

    status = 429


class ServiceUnavailable(OGCException):
    """The renderer failed; the client may try again."""

    status = 503


def exception_response(exc: OGCException, version: str = "1.3.0") -> HttpResponse:
    """The exception report of the version (1.1.1: ServiceExceptionReport without a namespace)."""
    code = exc.code_for(version)
    if version == "1.1.1":
        root = etree.Element("ServiceExceptionReport", version="1.1.1")
        content_type = "application/vnd.ogc.se_xml; charset=utf-8"
        ns = ""
    else:
        root = etree.Element(f"{{{OGC_NS}}}ServiceExceptionReport", nsmap={None: OGC_NS}, version="1.3.0")
        content_type = "text/xml; charset=utf-8"
        ns = f"{{{OGC_NS}}}"
    element = etree.SubElement(root, f"{ns}ServiceException")
    if code:
        element.set("code", code)
    if exc.locator:
        element.set("locator", exc.locator)
    element.text = exc.message
    body = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    response = HttpResponse(body, status=exc.status, content_type=content_type)
    if exc.status == 401:
        response["WWW-Authenticate"] = 'Basic realm="SIP", charset="UTF-8"'
    return response
