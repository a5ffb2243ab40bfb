"""Validation of APP GML against the APP 2.0 XML schema and the schemas it imports (GML 3.2.1,
ISO 19139, XLink), all read from a local directory: never from the network.

The directory mirrors the URLs named by schemaLocation (`<dir>/schemas.opengis.net/gml/3.2.1/
gml.xsd`, `<dir>/www.gov.pl/static/zagospodarowanieprzestrzenne/schemas/app/2.0/…`); it is found
at settings.SIP_APP_SCHEMA_DIR or $SIP_APP_SCHEMA_DIR, else `<repo>/../shared/schemas/app`. The
schemas are third-party files and are not part of this repository.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

from django.conf import settings
from lxml import etree

from .app_gml import APP_NS, GML

APP2_XSD = (
    "https://www.gov.pl/static/zagospodarowanieprzestrzenne/schemas/app/2.0/planowaniePrzestrzenne_2_0.xsd"
)
WFS = "http://www.opengis.net/wfs/2.0"
# The APP schema imports GML 3.3's "extended encoding rule" namespace only for xs:appinfo hints
# (targetCodeList); an empty schema of that namespace stands in for it.
EMPTY_SCHEMAS = {
    "http://schemas.opengis.net/gml/3.3/extdEncRule.xsd": "http://www.opengis.net/gml/3.3/exr",
}


class SchemaUnavailable(RuntimeError):
    """The local copy of the schemas is missing or incomplete."""


def schema_dir() -> Path:
    configured = getattr(settings, "SIP_APP_SCHEMA_DIR", "") or os.environ.get("SIP_APP_SCHEMA_DIR", "")
    if configured:
        return Path(configured)
    return Path(settings.BASE_DIR).parent / "shared" / "schemas" / "app"


class _LocalCatalog(etree.Resolver):
    """Maps every http(s) schemaLocation to the local mirror; refuses anything else."""

    def __init__(self, root: Path):
        super().__init__()
        self.root = root

    def resolve(self, url, pubid, context):
        if url in EMPTY_SCHEMAS:
            return self.resolve_string(
                f'<schema xmlns="http://www.w3.org/2001/XMLSchema" targetNamespace="{EMPTY_SCHEMAS[url]}"/>',
                context,
            )
        match = re.fullmatch(r"https?://([^/]+)/(.+)", url or "")
        if match:
            local = self.root / match[1] / match[2]
            if not local.is_file():
                raise SchemaUnavailable(f"brak lokalnej kopii schematu {url} (oczekiwano {local})")
            return self.resolve_filename(str(local), context)
        return None  # a relative path inside the mirror: libxml2 reads it from the local file


@functools.lru_cache(maxsize=1)
def app2_schema() -> etree.XMLSchema:
    """The APP 2.0 schema with everything it imports, from the local mirror."""
    root = schema_dir()
    match = re.fullmatch(r"https?://([^/]+)/(.+)", APP2_XSD)
    path = root / match[1] / match[2]
    if not path.is_file():
        raise SchemaUnavailable(f"brak lokalnej kopii schematu APP 2.0 ({path})")
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    parser.resolvers.add(_LocalCatalog(root))
    doc = etree.parse(str(path), parser)
    return etree.XMLSchema(doc)


def validate_app2(data: bytes) -> list[str]:
    """Schema errors of an APP 2.0 document ([] when valid). A gml:FeatureCollection is validated
    whole; a wfs:FeatureCollection (WFS 2.0, whose schema is not kept) member by member."""
    schema = app2_schema()
    doc = etree.fromstring(data, etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False))
    if etree.QName(doc).namespace == WFS:
        parts = [child for member in doc.findall(f"{{{WFS}}}member") for child in member]
    else:
        parts = [doc]
    errors = []
    for part in parts:
        if etree.QName(part).namespace not in (APP_NS["2.0"], GML):
            errors.append(f"nieoczekiwany element {part.tag}")
            continue
        if not schema.validate(part):
            errors += [f"wiersz {e.line}: {e.message}" for e in schema.error_log]
    return errors
