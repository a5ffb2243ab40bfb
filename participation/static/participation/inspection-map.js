// The draft plan's map on the inspection page: the plan's boundary and, for the comment form,
// a tool to mark a point or an area; on the planner's page the comments' places.
"use strict";

(function () {
  const data = JSON.parse(document.getElementById("inspection-map-data").textContent);
  const element = document.getElementById("inspection-map");
  if (!element) return;
  const map = SipConsult.baseMap(element, data.outline);
  if (data.comments) {
    L.geoJSON(data.comments, {
      pointToLayer: (f, ll) => L.circleMarker(ll, { radius: 8, color: "#6a3d9a", fillOpacity: 0.7 }),
      style: { color: "#6a3d9a", weight: 2 },
      onEachFeature: (f, layer) => layer.bindTooltip(`uwaga nr ${f.properties.number}: ${f.properties.decision}`),
    }).addTo(map);
  }
  if (data.public) {
    L.geoJSON({ type: "FeatureCollection", features: data.public.map((c) => ({ type: "Feature", geometry: c.point, properties: c })) }, {
      pointToLayer: (f, ll) => L.circleMarker(ll, { radius: 8, color: "#6a3d9a", fillOpacity: 0.5 }),
      onEachFeature: (f, layer) => layer.bindTooltip(`uwaga nr ${f.properties.number}: ${f.properties.decision_label}`),
    }).addTo(map);
  }
  const input = document.getElementById("id_geometry");
  if (input) {
    SipConsult.drawTool(map, "point", (g) => { input.value = g ? JSON.stringify(g) : ""; }, {
      status: document.getElementById("draw-status"),
      clear: document.getElementById("draw-clear"),
      undo: document.getElementById("draw-undo"),
      mode: document.getElementById("draw-mode"),
    });
  }
})();
