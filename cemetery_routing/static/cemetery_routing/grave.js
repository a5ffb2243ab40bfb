"use strict";
// Moved out of cemetery_routing/grave.html: the Content-Security-Policy allows no inline scripts.
const grave = JSON.parse(document.getElementById("grave-feature").textContent);
const {map} = drawCemetery(L.map("map", {maxZoom: 22}), JSON.parse(document.getElementById("cemetery-map").textContent));
const ll = [grave.geometry.coordinates[1], grave.geometry.coordinates[0]];
L.circleMarker(ll, {radius: 8, color: "#b01c2e", fillOpacity: 0.9}).bindTooltip(JSON.parse(document.getElementById("grave-label").textContent)).addTo(map);
const routeLayer = L.geoJSON(null, {style: {color: "#b01c2e", weight: 5}}).addTo(map);
const summary = document.getElementById("summary"), steps = document.getElementById("steps");
async function showRoute(extra) {
  const params = new URLSearchParams(extra || {});
  const gate = document.getElementById("gate").value;
  if (gate && !params.has("from")) params.set("gate", gate);
  if (document.getElementById("step-free").checked) params.set("step_free", "1");
  const resp = await fetch(`${grave.properties.route_url}?${params}`);
  const body = await resp.json();
  routeLayer.clearLayers(); steps.textContent = "";
  if (!resp.ok) { summary.className = "error"; summary.textContent = body.detail; return; }
  summary.className = "summary";
  const p = body.properties, minutes = Math.max(1, Math.round(p.walking_time_s / 60));
  summary.textContent = `${Math.round(p.length_m)} m, około ${minutes} min pieszo` + (p.gate ? ` od bramy „${p.gate.name}”` : "");
  for (const s of p.steps) { const li = document.createElement("li"); li.textContent = s.text; steps.append(li); }
  routeLayer.addData(body);
  map.fitBounds(routeLayer.getBounds(), {padding: [30, 30], maxZoom: 20});
}
document.getElementById("gate").addEventListener("change", () => showRoute());
document.getElementById("step-free").addEventListener("change", () => showRoute());
document.getElementById("here").addEventListener("click", () => {
  if (!navigator.geolocation) { summary.textContent = "Ta przeglądarka nie podaje położenia."; return; }
  navigator.geolocation.getCurrentPosition(
    pos => showRoute({from: `${pos.coords.longitude},${pos.coords.latitude}`}),
    () => { summary.className = "error"; summary.textContent = "Nie udało się ustalić Twojego położenia."; });
});
document.getElementById("share").addEventListener("click", async () => {
  try { await navigator.clipboard.writeText(location.href); summary.textContent = "Link skopiowany."; }
  catch { prompt("Skopiuj link:", location.href); }
});
showRoute();
