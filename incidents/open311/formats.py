"""GeoReport v2 answers in XML (required by the spec) and JSON, and its error format:
<errors><error><code/><description/></error></errors> or [{"code", "description"}]."""

from __future__ import annotations

import json

from django.http import HttpResponse
from lxml import etree

CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}


class Open311Error(Exception):
    """An error answered in the spec's format with this HTTP status; description in Polish."""

    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _element(parent, name: str, value) -> None:
    node = etree.SubElement(parent, name)
    if isinstance(value, dict):
        for key, sub in value.items():
            _element(node, key, sub)
    elif isinstance(value, list):
        # Lists inside an item: <formats><format/></formats>, <values><value/></values>, ...
        child = name[:-1] if name.endswith("s") else "item"
        for sub in value:
            _element(node, child, sub)
    else:
        node.text = _text(value)


def to_xml(root: str, item: str | None, data) -> bytes:
    """The document: <root> with one <item> per element of a list, or root's fields of a dict."""
    top = etree.Element(root)
    if isinstance(data, list):
        for entry in data:
            _element(top, item, entry)
    else:
        for key, value in data.items():
            _element(top, key, value)
    return etree.tostring(top, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def respond(fmt: str, data, *, root: str, item: str | None = None, status: int = 200) -> HttpResponse:
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    else:
        body = to_xml(root, item, data)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def error(fmt: str, status: int, description: str) -> HttpResponse:
    return respond(
        fmt if fmt in CONTENT_TYPES else "xml",
        [{"code": status, "description": description}],
        root="errors",
        item="error",
        status=status,
    )
