"use strict";
// The map of an edition's projects (the registry's WMS layer, with clickable points) and the
// running summary of the choice on the ballot.
const data = JSON.parse(document.getElementById("budget-map").textContent);
const map = L.map("map");
const outline = L.geoJSON(data.boundary, { style: { color: "#b01c2e", weight: 3, fill: false }, interactive: false }).addTo(map);
map.fitBounds(outline.getBounds());
L.tileLayer.wms(JSON.parse(document.getElementById("sip-urls").textContent).ows.wms, { layers: data.layer, format: "image/png", transparent: true, version: "1.3.0", tileSize: 256 }).addTo(map);
for (const d of data.districts) {
  L.geoJSON(d.geometry, { style: { color: "#1d4f91", weight: 1, fillOpacity: 0.05 } }).bindTooltip(d.name).addTo(map);
}
for (const p of data.projects) {
  const [lon, lat] = p.geometry.coordinates;
  const marker = L.circleMarker([lat, lon], {
    radius: p.won ? 9 : 6, color: "#fff", weight: 1, fillColor: p.won ? "#3c8d2f" : "#7b2cbf", fillOpacity: 0.9,
  });
  const label = document.createElement("div");
  label.textContent = `${p.title} – ${p.cost}${p.won ? " (wybrany)" : ""}`;
  marker.bindPopup(label).addTo(map);
}

const boxes = [...document.querySelectorAll("#ballot input[name=projects]")];
const summary = document.getElementById("choice-summary");
function update() {
  if (!summary) return;
  const chosen = boxes.filter((b) => b.checked);
  const total = chosen.reduce((s, b) => s + Number(b.dataset.cost), 0);
  summary.textContent = chosen.length
    ? `Wybrano projektów: ${chosen.length}, łączny koszt ${total.toLocaleString("pl-PL")} zł.`
    : "Zaznacz projekty, na które chcesz głosować.";
}
boxes.forEach((b) => b.addEventListener("change", update));
update();
