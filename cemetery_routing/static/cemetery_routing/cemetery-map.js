// Draws a cemetery's public layers (from /api/cemetery/cemeteries/<slug>/map/) on a Leaflet map.
function drawCemetery(map, data) {
  const outline = L.geoJSON(data.outline, {style: {color: "#5b4a2f", weight: 3, fill: false}}).addTo(map);
  const overlays = {};
  if (data.orthophoto) {
    overlays[`Ortofotomapa z drona (${data.orthophoto.taken_on})`] =
      L.imageOverlay(data.orthophoto.url, data.orthophoto.bounds, {opacity: 0.9}).addTo(map);
  }
  overlays["Kwatery"] = L.geoJSON(data.sections, {
    style: {color: "#7d6b4a", weight: 1, fillOpacity: 0.05},
    onEachFeature: (f, l) => l.bindTooltip(`kwatera ${f.properties.name}`),
  }).addTo(map);
  overlays["Aleje i ścieżki"] = L.geoJSON(data.alleys, {
    style: f => ({color: f.properties.step_free ? "#f2efe6" : "#d9822b", weight: f.properties.kind === "main" ? 5 : 2,
                  dashArray: f.properties.step_free ? null : "3 3"}),
    onEachFeature: (f, l) => { if (f.properties.name) l.bindTooltip(f.properties.name); },
  }).addTo(map);
  overlays["Bramy"] = L.geoJSON(data.gates, {
    pointToLayer: (f, ll) => L.circleMarker(ll, {radius: 7, color: "#1d4f91", fillOpacity: 0.9}),
    onEachFeature: (f, l) => l.bindTooltip(f.properties.name),
  }).addTo(map);
  L.control.layers(null, overlays).addTo(map);
  map.fitBounds(outline.getBounds());
  return {map, outline};
}
