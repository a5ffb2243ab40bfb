"use strict";
// Moved out of geoportal/home.html: the Content-Security-Policy allows no inline scripts.
const data = JSON.parse(document.getElementById("outlines").textContent);
const map = L.map("map");
const layer = L.geoJSON(data, {
  style: {color: "#1d4f91", weight: 2, fillOpacity: 0.15},
  onEachFeature: (f, l) => {
    l.bindTooltip(f.properties.name + " (" + f.properties.kind + ")");
    l.on("click", () => { window.location.href = f.properties.url; });
  },
}).addTo(map);
if (data.features.length) map.fitBounds(layer.getBounds()); else map.setView([51.26, 15.57], 10);
