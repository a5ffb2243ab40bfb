// A small map with one report's point on SIP's own base map (tracking page, staff report page).
const data = JSON.parse(document.getElementById("report-point").textContent);
const map = L.map("map", { zoomControl: true, scrollWheelZoom: false });
L.tileLayer.wms(JSON.parse(document.getElementById("sip-urls").textContent).ows.wms, {
  layers: "dzialki,ulice,adresy,gminy", format: "image/png", transparent: true, version: "1.3.0",
  tileSize: 256, maxZoom: 21,
}).addTo(map);
L.circleMarker(data.latlng, { radius: 10, color: "#fff", weight: 3, fillColor: "#b01c2e", fillOpacity: 1 })
  .bindTooltip(data.label)
  .addTo(map);
map.setView(data.latlng, 17);
window.sipReportMap = map;
