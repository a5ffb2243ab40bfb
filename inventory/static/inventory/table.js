"use strict";
// Moved out of inventory/table.html: the Content-Security-Policy allows no inline scripts.
const map = L.map("map", {preferCanvas: true});
const data = (id) => JSON.parse(document.getElementById(id).textContent);
const style = data("register-style");
const gmina = data("gmina-teryt");
const itemUrl = (id) => data("item-url").replace("/0/", `/${id}/`);
const layer = L.geoJSON(null, {
  pointToLayer: (f, ll) => L.circleMarker(ll, {radius: style.radius || 4, color: style.color, weight: 1, fillOpacity: 0.8}),
  style: () => ({color: style.color, weight: style.weight || 3}),
  onEachFeature: (f, l) => {
    const a = document.createElement("a");
    a.href = itemUrl(f.id);
    a.textContent = f.properties.label;
    l.bindPopup(a);
  },
}).addTo(map);
const status = document.createElement("div");
status.className = "map-status";
status.setAttribute("aria-live", "polite");
document.getElementById("map").append(status);
let pending = null;
async function load() {
  const b = map.getBounds();
  const params = new URLSearchParams(data("register-query"));
  params.delete("page");
  params.set("gmina", gmina);
  params.set("bbox", [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(6)).join(","));
  params.set("limit", "5000");
  if (pending) pending.abort();
  pending = new AbortController();
  status.textContent = "Wczytywanie…";
  try {
    const resp = await fetch(`${data("sip-urls").api.inventory}${data("register-slug")}/?${params}`, {signal: pending.signal, credentials: "same-origin"});
    const body = await resp.json();
    if (!resp.ok) { status.textContent = body.detail; return; }
    layer.clearLayers();
    layer.addData(body);
    status.textContent = body.numberMatched > body.numberReturned
      ? `Pokazano ${body.numberReturned} z ${body.numberMatched} – przybliż mapę` : `Obiektów w widoku: ${body.numberReturned}`;
  } catch (e) { if (e.name !== "AbortError") status.textContent = "Nie udało się wczytać obiektów."; }
}
map.on("moveend", load);
const outline = L.geoJSON(JSON.parse(document.getElementById("outline").textContent),
  {style: {color: "#b01c2e", weight: 2, fill: false}}).addTo(map);
map.fitBounds(outline.getBounds());
