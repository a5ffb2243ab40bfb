// Staff inbox: the reports of the table's page on a map, and "only the map's area" as a filter.
const features = JSON.parse(document.getElementById("report-features").textContent);
const bounds = JSON.parse(document.getElementById("scope-bounds").textContent);
const map = L.map("map", { zoomSnap: 0.5 });
L.tileLayer.wms(JSON.parse(document.getElementById("sip-urls").textContent).ows.wms, {
  layers: "dzialki,ulice,adresy,gminy", format: "image/png", transparent: true, version: "1.3.0",
  tileSize: 256, maxZoom: 21,
}).addTo(map);
const COLOURS = { new: "#b01c2e", accepted: "#e08a00", progress: "#1d4f91", done: "#2e7d32", rejected: "#555", forwarded: "#6a1b9a", duplicate: "#888" };
const layer = L.geoJSON(features, {
  pointToLayer: (f, ll) => L.circleMarker(ll, {
    radius: 8, color: "#fff", weight: 2, fillColor: COLOURS[f.properties.status_css] || "#333", fillOpacity: 0.95,
  }),
  onEachFeature: (f, l) => {
    const box = document.createElement("div");
    const a = document.createElement("a");
    a.href = f.properties.url;
    a.textContent = f.properties.number;
    const p = document.createElement("p");
    p.textContent = `${f.properties.category} – ${f.properties.status}`;
    box.append(a, p);
    l.bindPopup(box);
  },
}).addTo(map);
const bboxInput = document.getElementById("filter-bbox");
const current = (bboxInput.value || "").split(",").map(Number);
if (current.length === 4 && current.every(Number.isFinite)) {
  map.fitBounds([[current[1], current[0]], [current[3], current[2]]]);
} else if (features.features.length) {
  map.fitBounds(layer.getBounds(), { padding: [30, 30], maxZoom: 17 });
} else if (bounds) {
  map.fitBounds(bounds);
} else {
  map.setView([51.26, 15.57], 11);
}
document.getElementById("filter-area").addEventListener("click", () => {
  const b = map.getBounds();
  bboxInput.value = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(6)).join(",");
  bboxInput.form.requestSubmit();
});
const clear = document.getElementById("filter-area-clear");
if (clear) clear.addEventListener("click", () => { bboxInput.value = ""; bboxInput.form.requestSubmit(); });
// A row of the table shows its report on the map.
for (const row of document.querySelectorAll("tr[data-number]")) {
  row.addEventListener("mouseenter", () => {
    layer.eachLayer((l) => { if (l.feature.properties.number === row.dataset.number) l.setStyle({ radius: 12 }); });
  });
  row.addEventListener("mouseleave", () => layer.eachLayer((l) => l.setStyle({ radius: 8 })));
}
window.sipPanelMap = map;
