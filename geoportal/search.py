"""The geoportal's search registry is sip.search (in the core, so that the apps below the
geoportal register their providers without importing it); these names stay importable from here
for the geoportal's own code and older callers above the domain apps."""

from sip.search import MAX_PER_PROVIDER, Provider, SearchResult, providers, register_provider, search

__all__ = ["MAX_PER_PROVIDER", "Provider", "SearchResult", "providers", "register_provider", "search"]
