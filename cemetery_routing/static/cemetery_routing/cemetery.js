"use strict";
// Moved out of cemetery_routing/cemetery.html: the Content-Security-Policy allows no inline scripts.
const layers = drawCemetery(L.map("map", {maxZoom: 22}), JSON.parse(document.getElementById("cemetery-map").textContent));
const list = document.getElementById("results");
const found = L.layerGroup().addTo(layers.map);
document.getElementById("search").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  list.textContent = ""; found.clearLayers();
  const params = new URLSearchParams({q: document.getElementById("q").value.trim(), cemetery: JSON.parse(document.getElementById("cemetery-slug").textContent)});
  const resp = await fetch(`${JSON.parse(document.getElementById("sip-urls").textContent).api.cemetery}burials/?${params}`);
  const body = await resp.json();
  if (!resp.ok) { const li = document.createElement("li"); li.className = "error"; li.textContent = body.detail; list.append(li); return; }
  if (!body.features.length) { list.innerHTML = "<li>Nikogo takiego nie znaleziono.</li>"; return; }
  for (const f of body.features) {
    const p = f.properties, li = document.createElement("li"), a = document.createElement("a");
    a.href = p.grave.card_url;
    a.textContent = `${p.full_name} (${(p.birth_date || "?").slice(0, 4)}–${(p.death_date || "?").slice(0, 4)}), ${p.grave.label}`;
    li.append(a); list.append(li);
    L.circleMarker([f.geometry.coordinates[1], f.geometry.coordinates[0]], {radius: 6, color: "#b01c2e"})
      .bindPopup(a.cloneNode(true)).addTo(found);
  }
});
