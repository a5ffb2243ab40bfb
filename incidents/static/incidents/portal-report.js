// Geoportal: the "Zgłoś problem" button, and "Zgłoś usterkę tego obiektu" in the popup of a
// register object (lamp, bench, tree). The form itself (report-form.js) is loaded on first use,
// so the portal's first load stays small.

// Register layers whose objects can be reported, by WMS layer name.
const REPORTABLE = {
  "oswietlenie-latarnie": { register: "lamps", noun: "Latarnia", icon: "lamp" },
  "oswietlenie-linie": { register: "lighting-lines", noun: "Linia oświetleniowa", icon: "lamp" },
  "mala-architektura": { register: "small-architecture", noun: "Mała architektura", icon: "bench" },
  drzewa: { register: "trees", noun: "Drzewo", icon: "tree" },
};

let formModule = null;
async function form() {
  formModule ??= import("./report-form.js");
  return formModule;
}

async function open(options = {}) {
  const { openReportForm } = await form();
  openReportForm(window.sipPortal, options);
}

function objectLabel(kind, feature) {
  const p = feature.properties || {};
  const number = p.external_id || feature.id.split(".").pop();
  const species = p.species_polish ? ` (${p.species_polish})` : "";
  return `${kind.noun} nr ${number}${species}`;
}

function firstPoint(geometry) {
  let c = geometry && geometry.coordinates;
  while (Array.isArray(c) && Array.isArray(c[0])) c = c[Math.floor((c.length - 1) / 2)];
  return Array.isArray(c) ? L.latLng(c[1], c[0]) : null;
}

async function addObjectActions({ popup, params, latlng }) {
  const names = (params.get("QUERY_LAYERS") || "").split(",").filter((n) => REPORTABLE[n]);
  if (!names.length) return;
  const q = new URLSearchParams(params);
  q.set("QUERY_LAYERS", names.join(","));
  q.set("LAYERS", names.join(","));
  q.set("INFO_FORMAT", "application/json");
  const resp = await fetch(`${window.sipPortal.config.urls.wms}?${q}`, { credentials: "same-origin" });
  if (!resp.ok) return;
  const body = await resp.json();
  const features = (body.features || []).filter((f) => REPORTABLE[f.properties?.layer]);
  if (!features.length || !popup.isOpen()) return;
  const box = document.createElement("div");
  box.className = "rp-popup-actions";
  for (const f of features.slice(0, 3)) {
    const kind = REPORTABLE[f.properties.layer];
    const label = objectLabel(kind, f);
    const button = document.createElement("button");
    button.type = "button";
    button.className = "rp-object-button";
    button.textContent = features.length > 1 ? `Zgłoś usterkę: ${label}` : "Zgłoś usterkę tego obiektu";
    button.setAttribute("aria-label", `Zgłoś usterkę tego obiektu: ${label}`);
    button.addEventListener("click", () => {
      const object = {
        register: kind.register,
        id: Number(f.id.split(".").pop()),
        number: String(f.properties.external_id || ""),
        label,
        icon: kind.icon,
        latlng: firstPoint(f.geometry) || latlng,
      };
      window.sipPortal.map.closePopup(popup);
      open({ object });
    });
    box.append(button);
  }
  // The popup's content becomes a node holding its HTML and the buttons (Leaflet re-renders a
  // string content on update, which would drop buttons appended to it).
  const content = document.createElement("div");
  const html = popup.getContent();
  if (typeof html === "string") content.innerHTML = html;
  else if (html instanceof Node) content.append(html);
  content.append(box);
  popup.setContent(content);
}

function init() {
  const button = document.getElementById("report-button");
  if (!button) return;
  button.hidden = false;
  button.addEventListener("click", () => open());
  document.addEventListener("sip:featureinfo", (ev) => { addObjectActions(ev.detail); });
  // /<gmina>/?zglos opens the form at once (the tracking page's "Zgłoś kolejny problem").
  if (new URLSearchParams(location.search).has("zglos")) open();
}

if (window.sipPortal) init();
else document.addEventListener("sip:ready", init, { once: true });
