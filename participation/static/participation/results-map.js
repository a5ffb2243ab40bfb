// Map of a closed consultation: its area and the map answers as points (centres of lines and
// polygons drawn too, so every answer counts on the map).
"use strict";

(function () {
  const data = JSON.parse(document.getElementById("results-map-data").textContent);
  const element = document.getElementById("results-map");
  if (!element) return;
  const map = SipConsult.baseMap(element, data.area);
  L.geoJSON(data.answers, {
    pointToLayer: (f, ll) => L.circleMarker(ll, { radius: 7, color: "#d95f02", fillOpacity: 0.6, weight: 1 }),
    style: { color: "#d95f02", weight: 3, fillOpacity: 0.2 },
    onEachFeature: (f, layer) => {
      if (!f.properties.comment) return;
      const text = document.createElement("p");
      text.textContent = f.properties.comment;  // text, never HTML
      layer.bindPopup(text);
    },
  }).addTo(map);
})();
