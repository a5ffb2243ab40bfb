"use strict";
// Moved out of cemetery_routing/admin/free.html: the Content-Security-Policy allows no inline scripts.
const {map} = drawCemetery(L.map("map", {maxZoom: 22}), JSON.parse(document.getElementById("cemetery-map").textContent));
L.geoJSON(JSON.parse(document.getElementById("free-graves").textContent), {
  pointToLayer: (f, ll) => L.circleMarker(ll, {radius: 4, color: "#1a7f37", fillOpacity: 0.8}),
  onEachFeature: (f, l) => l.bindPopup(Object.assign(document.createElement("a"), {href: f.properties.url, textContent: `${f.properties.label} (${f.properties.kind})`})),
}).addTo(map);
