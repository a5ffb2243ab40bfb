"""OGC exception reports for WMS 1.1.1/1.3.0, with the standard codes and a 4xx status."""

from __future__ import annotations

from django.http import HttpResponse
from lxml import etree


class WMSError(Exception):
    """A request the WMS refuses; the message is Polish and meant for the user."""

    def __init__(self, message: str, code: str | None = None, locator: str | None = None, status: int = 400):
        super().__init__(message)
        self.message = message
        self.code = code
        self.locator = locator
        self.status = status


def exception_response(exc: WMSError, version: str = "1.3.0") -> HttpResponse:
    code = exc.code
    if version == "1.1.1" and code == "InvalidCRS":
        code = "InvalidSRS"
    if version == "1.1.1":
        root = etree.Element("ServiceExceptionReport", version="1.1.1")
        content_type = "application/vnd.ogc.se_xml; charset=utf-8"
    else:
        root = etree.Element(
            "{http://www.opengis.net/ogc}ServiceExceptionReport",
            nsmap={None: "http://www.opengis.net/ogc"},
            version="1.3.0",
        )
        content_type = "text/xml; charset=utf-8"
    ns = "" if version == "1.1.1" else "{http://www.opengis.net/ogc}"
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
