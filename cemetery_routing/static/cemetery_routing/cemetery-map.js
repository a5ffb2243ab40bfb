// Draws a cemetery's public layers (from /api/cemetery/cemeteries/<slug>/map/) on a Leaflet map.
function drawCemetery(map, data) {
  // SIP's own WMS in 256-pixel tiles under the drawing; above zoom 20 the zoom-20 tiles are
  // enlarged, so the tiles stored for offline use (zooms 15–20) cover every zoom of the map.
  let tiles = null;
  if (data.tiles) {
    tiles = L.tileLayer.wms(data.tiles.url, {
      layers: data.tiles.layers, format: "image/png", transparent: true, version: "1.3.0",
      tileSize: 256, maxZoom: 22, maxNativeZoom: data.tiles.max_native_zoom,
    }).addTo(map);
  }
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
  window.sipCemeteryMap = {map, outline, tiles};
  return {map, outline, tiles};
}
