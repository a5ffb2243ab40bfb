"""The project's wiring: the root URLconf and the WSGI application (settings are in sip.settings).

Wiring, not core domain: it names every app, so it may import any of them; the core modules of
`sip` never import an app above them (tests/sip/test_floors.py)."""
