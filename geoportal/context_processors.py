"""What the geoportal's page frame (geoportal/base.html) needs on every page that extends it,
including the pages of apps below the geoportal, which therefore need not import it."""

from .i18n import texts


def frame(request) -> dict:
    """The header texts in the request's language, and that language."""
    language = getattr(request, "LANGUAGE_CODE", "pl") or "pl"
    return {"ui": texts(language), "language": language}
