// The builder and the statistics pages: submit on a choice, keep the form's state, draw the
// choropleth map (Leaflet + GeoJSON of the same table as the screen, over SIP's own WMS base).

for (const el of document.querySelectorAll("[data-autosubmit]")) {
  el.addEventListener("change", () => {
    if (el.id === "dataset") {
      for (const other of el.form.querySelectorAll("select:not(#dataset), input[name^=fv]")) other.value = "";
      const run = el.form.querySelector("input[name=run]");
      if (run) run.remove();
    }
    el.form.submit();
  });
}

const state = document.getElementById("builder-state");
if (state) {
  const params = new URLSearchParams(state.dataset.get);
  for (const [name, value] of params) {
    const field = document.querySelector(`#builder [name="${CSS.escape(name)}"]`);
    if (field && field.type !== "hidden") field.value = value;
  }
}

const PALETTE = ["#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b"];

function colour(value, max) {
  if (value === null || value === undefined) return "#bbbbbb";
  if (max <= 0) return PALETTE[0];
  return PALETTE[Math.min(PALETTE.length - 1, Math.floor((value / max) * (PALETTE.length - 1) + 0.0001))];
}

const mapEl = document.getElementById("map");
if (mapEl && window.L) {
  const map = L.map(mapEl, { attributionControl: false });
  // SIP's own base map under the choropleth (streets, obręb and gmina outlines from SIP's WMS),
  // no tile service from the internet.
  L.tileLayer.wms(JSON.parse(document.getElementById("sip-urls").textContent).ows.wms, {
    layers: "ulice,obreby,gminy", format: "image/png", transparent: true, version: "1.3.0",
    tileSize: 256, maxZoom: 19,
  }).addTo(map);
  fetch(mapEl.dataset.geojson, { credentials: "same-origin" })
    .then((r) => r.json())
    .then((data) => {
      const values = data.features.map((f) => f.properties.value).filter((v) => v !== null);
      const max = Math.max(0, ...values);
      const layer = L.geoJSON(data, {
        style: (f) => ({ color: "#333", weight: 1, fillOpacity: 0.6, fillColor: colour(f.properties.value, max) }),
        onEachFeature: (f, l) => l.bindTooltip(`${f.properties.name}: ${f.properties.label}`),
      }).addTo(map);
      if (data.features.length) map.fitBounds(layer.getBounds());
      else map.setView([51.26, 15.57], 11);
      mapEl.dataset.features = String(data.features.length);
      mapEl.classList.add("ready");
    });
}
