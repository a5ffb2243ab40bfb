// Shared map helpers of consultations: the SIP base map and a small drawing tool that works
// with taps on a phone (click adds a vertex; no Leaflet.draw needed).
"use strict";

window.SipConsult = (function () {
  function baseMap(element, outline) {
    const map = L.map(element, { zoomControl: true, tap: true });
    L.tileLayer.wms(JSON.parse(document.getElementById("sip-urls").textContent).ows.wms, {
      layers: "dzialki,ulice,adresy,gminy", format: "image/png", transparent: true, version: "1.3.0",
      tileSize: 256, maxZoom: 21,
    }).addTo(map);
    let shape = null;
    if (outline) {
      shape = L.geoJSON(outline, { style: { color: "#1b9e77", weight: 3, fillOpacity: 0.05 }, interactive: false }).addTo(map);
      map.fitBounds(shape.getBounds(), { padding: [10, 10] });
    } else {
      map.setView([51.26, 15.57], 13);
    }
    return map;
  }

  // kind: "point", "line", "polygon" or "any"; onChange(geojsonGeometry or null).
  function drawTool(map, kind, onChange, controls) {
    let mode = kind === "any" ? "point" : kind;
    let vertices = [];
    let layer = null;
    const style = { color: "#d95f02", weight: 4 };

    function geometry() {
      const ring = vertices.map((ll) => [Number(ll.lng.toFixed(7)), Number(ll.lat.toFixed(7))]);
      if (mode === "point" && ring.length === 1) return { type: "Point", coordinates: ring[0] };
      if (mode === "line" && ring.length >= 2) return { type: "LineString", coordinates: ring };
      if (mode === "polygon" && ring.length >= 3) return { type: "Polygon", coordinates: [[...ring, ring[0]]] };
      return null;
    }

    function redraw() {
      if (layer) map.removeLayer(layer);
      layer = null;
      if (mode === "point" && vertices.length) layer = L.circleMarker(vertices[0], { ...style, radius: 9, fillOpacity: 0.8 });
      else if (mode === "line" && vertices.length) layer = L.polyline(vertices, style);
      else if (mode === "polygon" && vertices.length) layer = L.polygon(vertices, { ...style, fillOpacity: 0.2 });
      if (layer) layer.addTo(map);
      const g = geometry();
      if (controls && controls.status) {
        const n = vertices.length;
        controls.status.textContent = g ? "Zaznaczono miejsce." :
          (n ? `Punktów: ${n} – dodaj kolejne, stukając w mapę.` : "Stuknij w mapę, aby zaznaczyć miejsce.");
      }
      onChange(g);
    }

    map.on("click", (e) => {
      if (mode === "point") vertices = [e.latlng];
      else vertices.push(e.latlng);
      redraw();
    });
    if (controls && controls.clear) controls.clear.addEventListener("click", () => { vertices = []; redraw(); });
    if (controls && controls.undo) controls.undo.addEventListener("click", () => { vertices.pop(); redraw(); });
    if (controls && controls.mode) {
      controls.mode.addEventListener("change", () => { mode = controls.mode.value; vertices = []; redraw(); });
    }
    redraw();
  }

  function csrfToken() {
    const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  return { baseMap, drawTool, csrfToken };
})();
