"""The OGC exception classes (layers.ogc.exceptions): each writes its code, locator and HTTP
status into the exception report of WMS 1.3.0 (namespaced) and 1.1.1 (not)."""

from __future__ import annotations

import pytest
from lxml import etree

from layers.ogc import exceptions as ex

OGC = "{http://www.opengis.net/ogc}"
# (class, code in 1.3.0, code in 1.1.1, status), written out here rather than read from the classes.
CLASSES = [
    (ex.InvalidParameterValue, "InvalidParameterValue", "InvalidParameterValue", 400),
    (ex.MissingParameterValue, "MissingParameterValue", "MissingParameterValue", 400),
    (ex.LayerNotDefined, "LayerNotDefined", "LayerNotDefined", 400),
    (ex.LayerNotQueryable, "LayerNotQueryable", "LayerNotQueryable", 400),
    (ex.StyleNotDefined, "StyleNotDefined", "StyleNotDefined", 400),
    (ex.InvalidCRS, "InvalidCRS", "InvalidSRS", 400),
    (ex.InvalidFormat, "InvalidFormat", "InvalidFormat", 400),
    (ex.InvalidPoint, "InvalidPoint", "InvalidPoint", 400),
    (ex.OperationNotSupported, "OperationNotSupported", "OperationNotSupported", 400),
    (ex.CurrentUpdateSequence, "CurrentUpdateSequence", "CurrentUpdateSequence", 400),
    (ex.InvalidUpdateSequence, "InvalidUpdateSequence", "InvalidUpdateSequence", 400),
    (ex.NotAuthenticated, None, None, 401),
    (ex.TooManyAttempts, None, None, 429),
    (ex.ServiceUnavailable, None, None, 503),
]


def _report(response, version):
    root = etree.fromstring(response.content)
    if version == "1.3.0":
        assert root.tag == f"{OGC}ServiceExceptionReport"
        assert response["Content-Type"] == "text/xml; charset=utf-8"
        element = root.find(f"{OGC}ServiceException")
    else:
        assert root.tag == "ServiceExceptionReport"
        assert response["Content-Type"] == "application/vnd.ogc.se_xml; charset=utf-8"
        element = root.find("ServiceException")
    assert root.get("version") == version
    return element


@pytest.mark.parametrize("version", ["1.3.0", "1.1.1"])
@pytest.mark.parametrize("cls,code_13,code_11,status", CLASSES)
def test_each_class_reports_its_code_locator_and_status(cls, code_13, code_11, status, version):
    response = ex.exception_response(cls("Coś jest nie tak z „x”.", "bbox"), version)
    assert response.status_code == status
    element = _report(response, version)
    assert element.get("code") == (code_13 if version == "1.3.0" else code_11)
    assert element.get("locator") == "bbox"
    assert element.text == "Coś jest nie tak z „x”."
    assert ("WWW-Authenticate" in response) == (status == 401)


def test_status_of_one_refusal_can_differ_and_locator_is_optional():
    # A hidden layer asked for anonymously: LayerNotDefined with 401, so that QGIS asks for a login.
    response = ex.exception_response(ex.LayerNotDefined("Nie ma.", status=401), "1.3.0")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic ")
    element = _report(response, "1.3.0")
    assert element.get("code") == "LayerNotDefined" and element.get("locator") is None
    assert ex.LayerNotDefined("Nie ma.").status == 400  # the class's own status is untouched


def test_every_class_is_an_ogc_exception():
    assert all(issubclass(cls, ex.OGCException) for cls, *_ in CLASSES)
