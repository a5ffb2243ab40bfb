"""The Content-Security-Policy breaks nothing: pages load in Chromium with no violation."""

import pytest

pytestmark = pytest.mark.e2e


def test_pages_load_without_csp_violations(page):
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "(window.cspViolations = window.cspViolations || []).push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    for path in ("/gmina-boleslawiec/", "/", "/cmentarze/", "/api/docs/"):
        response = page.goto(f"{page.base}{path}")
        assert "script-src 'self' 'nonce-" in response.headers["content-security-policy"], path
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.cspViolations || []") == [], path
    page.goto(f"{page.base}/gmina-boleslawiec/")
    page.wait_for_function("() => window.sipPortal !== undefined")
    # The portal ran its scripts: the map is there with SIP's WMS tiles.
    page.locator(".leaflet-tile-loaded").first.wait_for()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.cspViolations || []") == []
    assert violations == []
