// The geoportal of one gmina: map, base maps, layer tree, search, popups, tools, permalink.
// Plain ES module over Leaflet; the page's JSON config (#portal-config) says what to show.

// Texts are Polish msgids translated by Django's JavaScript catalog (/jsi18n/, loaded before).
const { gettext } = window.django;
const config = JSON.parse(document.getElementById("portal-config").textContent);
const notice = document.getElementById("notice");
let restoring = true; // while the permalink is being applied, the URL is not rewritten

function showNotice(text) {
  notice.textContent = text;
  notice.hidden = false;
  clearTimeout(showNotice.timer);
  showNotice.timer = setTimeout(() => { notice.hidden = true; }, 8000);
}

const map = L.map("map", { zoomSnap: 0.5, keyboard: true });
map.fitBounds(config.gmina.bounds);
L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);
export { map, config };

// --- Base maps ------------------------------------------------------------------------
// "Mapa SIP": the registry's base-map layers, each drawing what suits the scale (land cover,
// roads with numbers and place names at the gmina's scale; streets, parcels, buildings and
// addresses closer in). Over the orthophoto only the layers that do not paint the ground over.
const boundary = L.geoJSON(config.boundary, {
  style: { color: "#b01c2e", weight: 3, fill: false }, interactive: false,
});
const sipBase = L.layerGroup([boundary]);
const baseLayers = config.base_layers || [];
const baseNames = (overOrtho) => baseLayers.filter((b) => !(overOrtho && b.covers_ground)).map((b) => b.name);
let baseTiles = null;
if (baseLayers.length) {
  // One request per tile for the whole base map; 256-pixel tiles on Leaflet's fixed grid,
  // so a tile cache in front of /ows/wms can serve them.
  baseTiles = L.tileLayer.wms(config.urls.wms, {
    layers: baseNames(false).join(","), format: "image/png", transparent: true, version: "1.3.0",
    tileSize: 256, maxZoom: 21, className: "sip-base",
  });
  sipBase.addLayer(baseTiles);
}
const ortho = L.tileLayer.wms(config.orthophoto.url, {
  layers: config.orthophoto.layers, format: "image/jpeg", version: "1.3.0", tileSize: 256,
  attribution: "© GUGiK",
});
let orthoErrors = 0;
ortho.on("tileerror", () => {
  orthoErrors += 1;
  if (orthoErrors === 1) showNotice(gettext("Ortofotomapa jest teraz niedostępna; mapa działa dalej bez niej."));
});
sipBase.addTo(map);
boundary.addTo(map);
function setBaseOverOrtho(overOrtho) {
  const names = baseNames(overOrtho);
  if (!baseTiles) return;
  if (names.length) {
    baseTiles.setParams({ layers: names.join(",") });
    if (!sipBase.hasLayer(baseTiles)) sipBase.addLayer(baseTiles);
  } else sipBase.removeLayer(baseTiles);
}
for (const radio of document.querySelectorAll("input[name=base]")) {
  radio.addEventListener("change", () => {
    if (radio.value === "ortho" && radio.checked) { map.addLayer(ortho); ortho.bringToBack(); setBaseOverOrtho(true); }
    if (radio.value === "sip" && radio.checked) { map.removeLayer(ortho); setBaseOverOrtho(false); }
    updatePermalink();
  });
}

// --- Layer tree from the registry -------------------------------------------------------
const overlays = new Map(); // name -> {layer, info}
const tree = document.getElementById("layer-tree");
const groups = new Map();
for (const info of config.layers || []) {
  let group = groups.get(info.group);
  if (!group) {
    group = document.createElement("fieldset");
    const legend = document.createElement("legend");
    legend.textContent = info.group;
    group.append(legend);
    tree.append(group);
    groups.set(info.group, group);
  }
  const layer = L.tileLayer.wms(config.urls.wms, {
    layers: info.name, format: "image/png", transparent: true, version: "1.3.0", tileSize: 256,
    maxZoom: 21, zIndex: 10 + (info.order || 0),
  });
  overlays.set(info.name, { layer, info });
  const row = document.createElement("div");
  row.className = "layer";
  const id = `layer-${info.name}`;
  row.innerHTML = `<input type="checkbox" id="${id}"><label for="${id}"></label>
    <label class="opacity"><span class="sr-only"></span><input type="range" min="0" max="100" value="100"></label>
    <img alt="" hidden>`;
  const [box, label] = row.querySelectorAll("input[type=checkbox], label[for]");
  label.textContent = info.title;
  row.querySelector(".sr-only").textContent = `${gettext("Przezroczystość")}: ${info.title}`;
  const legendImg = row.querySelector("img");
  legendImg.src = info.legend_url;
  legendImg.alt = `${gettext("Legenda")}: ${info.title}`;
  box.checked = !!info.visible;
  const apply = () => {
    if (box.checked) { layer.addTo(map); legendImg.hidden = false; }
    else { map.removeLayer(layer); legendImg.hidden = true; }
    updatePermalink();
  };
  box.addEventListener("change", apply);
  row.querySelector("input[type=range]").addEventListener("input", (ev) => layer.setOpacity(ev.target.value / 100));
  group.append(row);
  apply();
}

// --- GetFeatureInfo popups --------------------------------------------------------------
map.on("click", async (ev) => {
  // While measuring, or while another tool takes the clicks (placing a report's pin), no popups.
  if (measure.active || window.sipPortal?.captureClicks) return;
  const names = [...overlays.values()].filter((o) => map.hasLayer(o.layer) && o.info.queryable).map((o) => o.info.name);
  if (map.hasLayer(sipBase)) {
    for (const b of config.base_layers || []) if (b.queryable) names.push(b.name);
  }
  if (!names.length) return;
  const size = map.getSize();
  const b = map.getBounds();
  const sw = L.CRS.EPSG3857.project(b.getSouthWest());
  const ne = L.CRS.EPSG3857.project(b.getNorthEast());
  const point = map.latLngToContainerPoint(ev.latlng).round();
  const params = new URLSearchParams({
    SERVICE: "WMS", VERSION: "1.3.0", REQUEST: "GetFeatureInfo", LAYERS: names.join(","),
    QUERY_LAYERS: names.join(","), STYLES: "", CRS: "EPSG:3857",
    BBOX: [sw.x, sw.y, ne.x, ne.y].join(","), WIDTH: size.x, HEIGHT: size.y,
    I: point.x, J: point.y, INFO_FORMAT: "text/html", FEATURE_COUNT: 5,
  });
  const resp = await fetch(`${config.urls.wms}?${params}`, { credentials: "same-origin" });
  // The answer is a whole HTML page; its <style> would restyle the portal page itself.
  const html = (await resp.text()).replace(/<style[\s\S]*?<\/style>/gi, "");
  if (resp.ok && /<(table|dl|section)/i.test(html)) {
    const popup = L.popup({ maxWidth: 360 }).setLatLng(ev.latlng).setContent(html).openOn(map);
    // Other modules add their actions to the popup (e.g. reporting a fault of a register object).
    document.dispatchEvent(new CustomEvent("sip:featureinfo", { detail: { popup, params, latlng: ev.latlng } }));
  }
});

// --- Search -----------------------------------------------------------------------------
const input = document.getElementById("search-input");
const list = document.getElementById("search-results");
const status = document.getElementById("search-status");
const highlight = L.geoJSON(null, {
  style: { color: "#e08a00", weight: 4, fillOpacity: 0.15 },
  pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: 9, color: "#e08a00", weight: 4 }),
}).addTo(map);
let results = [];
let active = -1;
let searchTimer;

function closeList() {
  list.hidden = true;
  input.setAttribute("aria-expanded", "false");
  input.removeAttribute("aria-activedescendant");
  active = -1;
}

function choose(result) {
  highlight.clearLayers();
  highlight.addData({ type: "Feature", geometry: result.geometry, properties: {} });
  const bounds = highlight.getBounds();
  if (result.geometry.type === "Point") map.setView(bounds.getCenter(), 18);
  else map.fitBounds(bounds, { maxZoom: 18, padding: [30, 30] });
  input.value = result.label;
  status.textContent = `${result.kind_label}: ${result.label}`;
  closeList();
  document.dispatchEvent(new CustomEvent("sip:result", { detail: result }));
}

function renderResults() {
  list.textContent = "";
  results.forEach((r, i) => {
    const li = document.createElement("li");
    li.id = `search-option-${i}`;
    li.setAttribute("role", "option");
    li.setAttribute("aria-selected", i === active ? "true" : "false");
    li.dataset.kind = r.kind;
    const kind = document.createElement("span");
    kind.className = "kind";
    kind.textContent = r.kind_label;
    const label = document.createElement("span");
    label.className = "label";
    label.textContent = r.label;
    const detail = document.createElement("small");
    detail.textContent = r.detail;
    li.append(kind, label, detail);
    li.addEventListener("mousedown", (ev) => { ev.preventDefault(); choose(r); });
    list.append(li);
  });
  list.hidden = results.length === 0;
  input.setAttribute("aria-expanded", results.length ? "true" : "false");
  if (active >= 0) input.setAttribute("aria-activedescendant", `search-option-${active}`);
}

async function runSearch() {
  const q = input.value.trim();
  if (q.length < 2) { results = []; renderResults(); status.textContent = q ? gettext("Wpisz co najmniej dwa znaki.") : ""; return; }
  const params = new URLSearchParams({ q, gmina: config.gmina.slug });
  const resp = await fetch(`${config.urls.search}?${params}`, { credentials: "same-origin" });
  const body = await resp.json();
  if (q !== input.value.trim()) return; // a newer query is on its way
  results = resp.ok ? body.results : [];
  active = -1;
  renderResults();
  status.textContent = resp.ok ? (results.length ? "" : gettext("Nic nie znaleziono.")) : body.detail;
}

input.addEventListener("input", () => { clearTimeout(searchTimer); searchTimer = setTimeout(runSearch, 200); });
input.addEventListener("keydown", (ev) => {
  if (ev.key === "ArrowDown" && results.length) { active = (active + 1) % results.length; renderResults(); ev.preventDefault(); }
  else if (ev.key === "ArrowUp" && results.length) { active = (active - 1 + results.length) % results.length; renderResults(); ev.preventDefault(); }
  else if (ev.key === "Enter") {
    ev.preventDefault();
    clearTimeout(searchTimer);
    if (active >= 0) choose(results[active]);
    else if (results.length) choose(results[0]);
    else runSearch().then(() => { if (results.length) choose(results[0]); });
  } else if (ev.key === "Escape") closeList();
});
input.addEventListener("blur", () => setTimeout(closeList, 150));

// --- Tools: locate, measure, permalink ---------------------------------------------------
document.getElementById("tool-locate").addEventListener("click", () => {
  map.locate({ setView: true, maxZoom: 17, enableHighAccuracy: true });
});
const me = L.layerGroup().addTo(map);
map.on("locationfound", (ev) => {
  me.clearLayers();
  L.circle(ev.latlng, { radius: ev.accuracy, weight: 1 }).addTo(me);
  L.circleMarker(ev.latlng, { radius: 7, color: "#1d4f91", fillOpacity: 1 }).addTo(me);
  document.dispatchEvent(new CustomEvent("sip:located", { detail: ev.latlng }));
});
map.on("locationerror", (ev) => showNotice(`${gettext("Nie udało się ustalić położenia")}: ${ev.message}`));

const measure = { active: null, points: [], layer: L.layerGroup().addTo(map) };
const measureOut = document.getElementById("measure-result");

function ringArea(latlngs) {
  // Area on the sphere (m²), as Leaflet.draw's geodesicArea.
  const R = 6378137;
  const rad = Math.PI / 180;
  let area = 0;
  for (let i = 0; i < latlngs.length; i++) {
    const p1 = latlngs[i];
    const p2 = latlngs[(i + 1) % latlngs.length];
    area += (p2.lng - p1.lng) * rad * (2 + Math.sin(p1.lat * rad) + Math.sin(p2.lat * rad));
  }
  return Math.abs(area * R * R / 2);
}

function formatLength(m) { return m >= 1000 ? `${(m / 1000).toFixed(3).replace(".", ",")} km` : `${m.toFixed(1).replace(".", ",")} m`; }
function formatArea(a) { return a >= 10000 ? `${(a / 10000).toFixed(4).replace(".", ",")} ha (${Math.round(a)} m²)` : `${a.toFixed(1).replace(".", ",")} m²`; }

function drawMeasure() {
  measure.layer.clearLayers();
  const pts = measure.points;
  if (!pts.length) { measureOut.textContent = ""; return; }
  if (measure.active === "area" && pts.length >= 3) {
    L.polygon(pts, { color: "#6a1b9a" }).addTo(measure.layer);
    measureOut.textContent = `${gettext("Powierzchnia")}: ${formatArea(ringArea(pts))}`;
  } else {
    L.polyline(pts, { color: "#6a1b9a" }).addTo(measure.layer);
    let total = 0;
    for (let i = 1; i < pts.length; i++) total += map.distance(pts[i - 1], pts[i]);
    measureOut.textContent = `${gettext("Odległość")}: ${formatLength(total)}`;
  }
  pts.forEach((p) => L.circleMarker(p, { radius: 4, color: "#6a1b9a" }).addTo(measure.layer));
}

function setMeasure(kind) {
  measure.active = measure.active === kind ? null : kind;
  measure.points = [];
  drawMeasure();
  for (const k of ["distance", "area"]) {
    document.getElementById(`tool-${k}`).setAttribute("aria-pressed", measure.active === k ? "true" : "false");
  }
  map.doubleClickZoom[measure.active ? "disable" : "enable"]();
  if (measure.active) showNotice(gettext("Klikaj punkty na mapie; dwuklik kończy pomiar."));
}

document.getElementById("tool-distance").addEventListener("click", () => setMeasure("distance"));
document.getElementById("tool-area").addEventListener("click", () => setMeasure("area"));
document.getElementById("tool-clear").addEventListener("click", () => { measure.points = []; drawMeasure(); });
map.on("click", (ev) => { if (measure.active) { measure.points.push(ev.latlng); drawMeasure(); } });
map.on("dblclick", () => {
  if (measure.active) {
    const kind = measure.active;
    measure.active = null;
    document.getElementById(`tool-${kind}`).setAttribute("aria-pressed", "false");
    map.doubleClickZoom.enable();
  }
});

// Permalink: #map=zoom/lat/lon&base=sip|ortho&layers=a,b
function currentState() {
  const c = map.getCenter();
  const layers = [...overlays.values()].filter((o) => map.hasLayer(o.layer)).map((o) => o.info.name);
  const base = map.hasLayer(ortho) ? "ortho" : "sip";
  return `map=${map.getZoom()}/${c.lat.toFixed(6)}/${c.lng.toFixed(6)}&base=${base}&layers=${layers.join(",")}`;
}

function updatePermalink() {
  if (!restoring) history.replaceState(null, "", `#${currentState()}`);
}

function restore() {
  const params = new URLSearchParams(location.hash.slice(1));
  const view = (params.get("map") || "").split("/").map(Number);
  if (view.length === 3 && view.every(Number.isFinite)) map.setView([view[1], view[2]], view[0]);
  if (params.has("layers")) {
    const wanted = new Set(params.get("layers").split(",").filter(Boolean));
    for (const [name, o] of overlays) {
      const box = document.getElementById(`layer-${name}`);
      box.checked = wanted.has(name);
      box.dispatchEvent(new Event("change"));
    }
  }
  if (params.get("base") === "ortho") {
    const radio = document.querySelector("input[name=base][value=ortho]");
    radio.checked = true;
    radio.dispatchEvent(new Event("change"));
  }
}
restore();
restoring = false;
map.on("moveend", updatePermalink);
updatePermalink();

document.getElementById("tool-permalink").addEventListener("click", async () => {
  const url = location.href;
  try { await navigator.clipboard.writeText(url); showNotice(gettext("Link skopiowany do schowka")); }
  catch { showNotice(url); }
});

// --- Print to PDF at a scale (drawn on the server by MapServer) ---------------------------
let chosenParcel = null; // the identifier of the parcel last found or clicked, outlined on prints
document.getElementById("print-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const form = new FormData(ev.target);
  const c = map.getCenter();
  const params = new URLSearchParams({
    gmina: config.gmina.slug, center: `${c.lng.toFixed(7)},${c.lat.toFixed(7)}`,
    scale: form.get("scale"), paper: form.get("paper"), orientation: form.get("orientation"),
    title: form.get("title"),
    layers: [...overlays.values()].filter((o) => map.hasLayer(o.layer)).map((o) => o.info.name).join(","),
  });
  if (chosenParcel) params.set("parcel", chosenParcel);
  window.open(`${config.urls.print}?${params}`, "_blank");
});

// --- A planner issues a zoning extract for a parcel found or clicked -----------------------
const extractBox = document.createElement("p");
extractBox.id = "extract-link";
document.getElementById("extra-panels").prepend(extractBox);
function offerParcel(identifier) {
  chosenParcel = identifier;
  extractBox.textContent = "";
  if (!config.extract_url || !identifier) return;
  const a = document.createElement("a");
  a.href = `${config.extract_url}?parcels=${encodeURIComponent(identifier)}`;
  a.className = "button";
  a.textContent = `${gettext("Wydaj wypis i wyrys dla tej działki")} (${identifier})`;
  extractBox.append(a);
}
document.addEventListener("sip:result", (ev) => offerParcel(ev.detail.kind === "parcel" ? ev.detail.identifier : null));
map.on("popupopen", (ev) => {
  const m = /\b(\d{6}_\d\.\d{4}\.\d+(?:\/\d+)*)\b/.exec(ev.popup.getContent() || "");
  if (m) offerParcel(m[1]);
});

// --- Narrow screens: the sidebar folds away ----------------------------------------------
const sidebar = document.getElementById("sidebar");
const toggle = document.getElementById("sidebar-toggle");
toggle.addEventListener("click", () => {
  const open = sidebar.classList.toggle("closed") === false;
  toggle.setAttribute("aria-expanded", open ? "true" : "false");
  setTimeout(() => map.invalidateSize(), 250);
});
if (window.matchMedia("(max-width: 640px)").matches) {
  sidebar.classList.add("closed");
  toggle.setAttribute("aria-expanded", "false");
}
window.sipPortal = { map, config, overlays, highlight, showNotice, captureClicks: false };
document.dispatchEvent(new CustomEvent("sip:ready"));
