// Geoportal, cemetery mode: a grave chosen in the search box gets its card link, the walking
// route from the nearest gate drawn on the map with the steps listed, and a route from the
// visitor's own position on request.
(() => {
  let routeLayer = null;
  let currentGrave = null;
  let wantRouteFromMe = false;

  function panel() {
    let box = document.getElementById("grave-panel");
    if (!box) {
      box = document.createElement("section");
      box.id = "grave-panel";
      box.setAttribute("aria-live", "polite");
      document.getElementById("extra-panels").prepend(box);
    }
    return box;
  }

  function minutes(s) { return Math.max(1, Math.round(s / 60)); }

  async function showRoute(graveId, from) {
    const portal = window.sipPortal;
    const url = new URL(`${JSON.parse(document.getElementById("sip-urls").textContent).api.cemetery}graves/${graveId}/route/`, location.origin);
    if (from) url.searchParams.set("from", `${from.lng.toFixed(7)},${from.lat.toFixed(7)}`);
    const resp = await fetch(url, { credentials: "same-origin" });
    const body = await resp.json();
    const box = panel();
    const list = box.querySelector("ol.steps");
    const summary = box.querySelector(".route-summary");
    if (!resp.ok) { summary.textContent = body.detail; list.textContent = ""; return; }
    if (routeLayer) portal.map.removeLayer(routeLayer);
    routeLayer = L.geoJSON(body, { style: { color: "#c51b7d", weight: 5, dashArray: "8 6" } }).addTo(portal.map);
    portal.map.fitBounds(routeLayer.getBounds(), { padding: [40, 40], maxZoom: 19 });
    const p = body.properties;
    const start = p.gate ? `od bramy „${p.gate.name}”` : "z Twojego położenia";
    summary.textContent = `Trasa ${start}: ${p.length_m.toFixed(0)} m, ok. ${minutes(p.walking_time_s)} min pieszo.`;
    list.textContent = "";
    for (const step of p.steps) {
      const li = document.createElement("li");
      li.textContent = step.text;
      list.append(li);
    }
  }

  document.addEventListener("sip:result", (ev) => {
    const box = panel();
    if (ev.detail.kind !== "grave" || !ev.detail.grave_id) { box.textContent = ""; return; }
    currentGrave = ev.detail;
    box.innerHTML = `<h2></h2><p><a></a></p><p class="route-summary"></p>
      <button type="button" class="route-from-me">Trasa z mojego położenia</button><ol class="steps"></ol>`;
    box.querySelector("h2").textContent = ev.detail.label;
    const link = box.querySelector("a");
    link.href = ev.detail.url;
    link.textContent = "Karta grobu: zapis, zdjęcia, nawigacja";
    box.querySelector(".route-from-me").addEventListener("click", () => {
      wantRouteFromMe = true;
      window.sipPortal.map.locate({ enableHighAccuracy: true });
    });
    // Show the alleys and graves the route runs along.
    for (const name of ["alejki", "groby"]) {
      const box = document.getElementById(`layer-${name}`);
      if (box && !box.checked) { box.checked = true; box.dispatchEvent(new Event("change")); }
    }
    showRoute(ev.detail.grave_id);
  });

  document.addEventListener("sip:located", (ev) => {
    if (wantRouteFromMe && currentGrave) showRoute(currentGrave.grave_id, ev.detail);
    wantRouteFromMe = false;
  });
})();
