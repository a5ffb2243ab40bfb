"""axe-core (Deque, MPL-2.0, the copy shipped in the axe-playwright-python dev dependency) on
every public page of the URLconf: no serious or critical violation. Pages are checked at a
phone's width and a desktop's, after their scripts have drawn what they draw."""

from __future__ import annotations

from pathlib import Path

import axe_playwright_python
import pytest

pytestmark = pytest.mark.e2e

AXE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
BLOCKING = {"serious", "critical"}


def axe_violations(page) -> list[str]:
    """Serious and critical violations on the page as 'rule: target' lines."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {', '.join(str(n['target']) for n in v['nodes'][:5])}"
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


def public_pages() -> list[str]:
    """Every public page of sip/project/urls.py with the demo data: home, each gmina's geoportal and
    cemetery list, the cemetery index, each cemetery and a grave card of each (one with public
    burials, one free), the resident app's offline pages."""
    from cemetery_routing.models import Cemetery, Grave
    from sip.models import Gmina

    pages = ["/", "/cmentarze/", "/cmentarze/?q=Nowak", "/offline/", "/offline/grob/"]
    for gmina in Gmina.objects.order_by("slug"):
        pages += [f"/{gmina.slug}/", f"/cmentarze/?gmina={gmina.teryt}"]
    for cemetery in Cemetery.objects.order_by("slug"):
        pages.append(f"/cmentarze/{cemetery.slug}/")
        buried = Grave.objects.filter(cemetery=cemetery, burials__is_public=True).order_by("pk").first()
        free = Grave.objects.filter(cemetery=cemetery, status="free").order_by("pk").first()
        pages += [f"/cmentarze/grob/{g.pk}/" for g in (buried, free) if g]
    return pages


@pytest.mark.parametrize("width", [375, 1280])
def test_no_serious_or_critical_violation_on_any_public_page(live_server_url, browser, db, width):
    # axe is injected as a script: the page's CSP (rightly) allows no such script, so the test's
    # browser is told to ignore it.
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="pl-PL", bypass_csp=True)
    page = context.new_page()
    found = {}
    for path in public_pages():
        page.goto(f"{live_server_url}{path}")
        page.wait_for_load_state("networkidle")
        if path.startswith("/cmentarze/grob/"):
            page.wait_for_function("() => document.getElementById('summary').textContent !== ''")
        violations = axe_violations(page)
        if violations:
            found[path] = violations
    # /verify/<token>: the public check of an issued extract. The demo data has none, and the
    # live server sees only committed rows, so the page is rendered here (same templates) and
    # checked in the browser at the site's address.
    html = verification_page()
    page.goto(f"{live_server_url}/offline/")
    page.set_content(html)
    page.wait_for_load_state("networkidle")
    violations = axe_violations(page)
    if violations:
        found["/verify/<token>"] = violations
    context.close()
    assert found == {}


def verification_page() -> str:
    from django.contrib.auth.models import User
    from django.test import Client

    from planning import services
    from sip.models import Parcel

    planner = User.objects.get(username="planista-boleslawiec")
    parcel = Parcel.objects.filter(gmina__slug="boleslawiec").order_by("pk").first()
    _, document = services.issue_extract(actor=planner, parcel_identifiers=[parcel.identifier], kind="both")
    response = Client().get(f"/verify/{document.token}")
    assert response.status_code == 200
    return response.content.decode()
