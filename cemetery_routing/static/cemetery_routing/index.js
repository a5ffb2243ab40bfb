"use strict";
// Moved out of cemetery_routing/index.html: the Content-Security-Policy allows no inline scripts.
const gmina = JSON.parse(document.getElementById("gmina-teryt").textContent);
const cemeteryApi = JSON.parse(document.getElementById("sip-urls").textContent).api.cemetery;
const map = L.map("map").setView([51.24, 15.5], 11);
const layer = L.layerGroup().addTo(map);
fetch(`${cemeteryApi}cemeteries/${gmina ? "?gmina=" + encodeURIComponent(gmina) : ""}`).then(r => r.json()).then(body => {
  const pts = [];
  for (const c of body.cemeteries) {
    const ll = [c.location[1], c.location[0]];
    pts.push(ll);
    L.marker(ll).bindPopup(Object.assign(document.createElement("a"), {href: c.url, textContent: c.name})).addTo(layer);
  }
  if (pts.length) map.fitBounds(pts, {maxZoom: 15, padding: [40, 40]});
});
const list = document.getElementById("results");
async function search(q) {
  list.textContent = "";
  const params = new URLSearchParams({q});
  if (gmina) params.set("gmina", gmina);
  const resp = await fetch(`${cemeteryApi}burials/?${params}`);
  const body = await resp.json();
  if (!resp.ok) { const li = document.createElement("li"); li.className = "error"; li.textContent = body.detail; list.append(li); return; }
  if (!body.features.length) { list.innerHTML = "<li>Nikogo takiego nie znaleziono.</li>"; return; }
  for (const f of body.features) {
    const p = f.properties, li = document.createElement("li"), a = document.createElement("a");
    const years = [p.birth_date, p.death_date].map(d => d ? d.slice(0, 4) : "?").join("–");
    a.href = p.grave.card_url;
    a.textContent = `${p.full_name} (${years}) – ${p.grave.cemetery.name}, ${p.grave.label}`;
    li.append(a); list.append(li);
  }
}
document.getElementById("search").addEventListener("submit", ev => { ev.preventDefault(); search(document.getElementById("q").value.trim()); });
if (document.getElementById("q").value) search(document.getElementById("q").value.trim());
