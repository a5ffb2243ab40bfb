// Talking to SIP's REST API of incident reports (/api/incidents/…): no DOM here, so that the
// form, and later an offline outbox, share one way to send a report.
//
// submitReport(payload, photos) is the single place a report leaves the browser. It answers the
// server's JSON on success and throws otherwise: a ReportError (the server refused, with its
// Polish messages per field) or the fetch's own TypeError (no network: safe to retry later,
// because the payload's client_request_id makes a repeated POST return the same report).

// The API's root comes from the page's configuration (#sip-urls: prefixed behind a proxy that
// mounts SIP under a path); without a page around (a worker) it is the default mount.
const API = (() => {
  const el = globalThis.document?.getElementById("sip-urls");
  return (el && JSON.parse(el.textContent).api?.incidents) || "/api/incidents/";
})();

export const ENDPOINTS = {
  categories: `${API}categories/`,
  route: `${API}route/`,
  nearby: `${API}nearby/`,
  reports: `${API}reports/`,
  meToo: (id) => `${API}reports/${encodeURIComponent(id)}/me-too/`,
};

export class ReportError extends Error {
  /** A refusal of the server: `status` (HTTP), `fields` ({field: message}) and `detail`. */
  constructor(status, body) {
    const { detail, fields } = splitErrors(body);
    super(detail || Object.values(fields)[0] || `Błąd ${status}`);
    this.name = "ReportError";
    this.status = status;
    this.fields = fields;
    this.detail = detail;
    this.body = body;
  }
}

/** A random id for one report, kept by the caller across retries. */
export function newClientRequestId() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  // Plain-HTTP deployments have no randomUUID (secure contexts only); getRandomValues works.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function csrfToken() {
  const m = /(?:^|;\s*)csrftoken=([^;]+)/.exec(document.cookie);
  if (m) return decodeURIComponent(m[1]);
  const input = document.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

const FIELD_NAMES = [
  "category", "description", "lat", "lon", "position", "photos", "name", "email", "phone",
  "address", "register", "register_item", "website", "client_request_id", "use_photo_position",
];

/** The server's error body as {detail, fields}: DRF's {field: [msg]}, SIP's {"detail": {...}}
 *  or {"detail": "field: msg field2: msg"}. */
export function splitErrors(body) {
  const fields = {};
  let detail = "";
  const take = (obj) => {
    for (const [key, value] of Object.entries(obj)) {
      const text = Array.isArray(value) ? value.map(String).join(" ") : typeof value === "object" && value ? JSON.stringify(value) : String(value);
      if (key === "detail" || key === "non_field_errors" || key === "__all__") detail = detail ? `${detail} ${text}` : text;
      else fields[key] = text;
    }
  };
  if (!body || typeof body !== "object") return { detail: body ? String(body) : "", fields };
  if (body.detail && typeof body.detail === "object" && !Array.isArray(body.detail)) take(body.detail);
  else if (typeof body.detail === "string") {
    // "description: Opis jest za długi. photos: Plik nie jest zdjęciem."
    const re = new RegExp(`(?:^|\\s)(${FIELD_NAMES.join("|")})(?:\\.\\d+)?: `, "g");
    const found = [...body.detail.matchAll(re)];
    if (!found.length) detail = body.detail;
    else {
      if (found[0].index > 0) detail = body.detail.slice(0, found[0].index).trim();
      found.forEach((m, i) => {
        const start = m.index + m[0].length;
        const end = i + 1 < found.length ? found[i + 1].index : body.detail.length;
        const text = body.detail.slice(start, end).trim();
        fields[m[1]] = fields[m[1]] ? `${fields[m[1]]} ${text}` : text;
      });
    }
  } else take(body);
  return { detail, fields };
}

async function answer(resp) {
  let body = null;
  const type = resp.headers.get("content-type") || "";
  if (type.includes("json")) body = await resp.json();
  else body = { detail: resp.status === 429 ? "Za dużo zgłoszeń z tego adresu; spróbuj za kilka minut." : `Błąd serwera (${resp.status}); spróbuj ponownie.` };
  if (!resp.ok) throw new ReportError(resp.status, body);
  return body;
}

async function getJson(url) {
  return answer(await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }));
}

/** The categories offered in a gmina: {gmina, groups: [{name, icon, categories: [...]}]}. */
export function fetchCategories(gmina) {
  return getJson(`${ENDPOINTS.categories}?${new URLSearchParams({ gmina })}`);
}

function placeParams({ category, lat, lon, register, registerItem }) {
  const params = new URLSearchParams({ category, lat: lat.toFixed(7), lon: lon.toFixed(7) });
  if (register && registerItem) { params.set("register", register); params.set("register_item", registerItem); }
  return params;
}

/** Where a report would go: {gmina, unit, reason, outside, by_email}. */
export function fetchRoute(place) {
  return getJson(`${ENDPOINTS.route}?${placeParams(place)}`);
}

/** Open reports of the category within 50 m of the point: {count, results}. */
export function fetchNearby(place) {
  return getJson(`${ENDPOINTS.nearby}?${placeParams({ ...place, register: null })}`);
}

/** "Mnie też to dotyczy" for an open report; `email` (optional) to hear of its changes. */
export async function meToo(reportId, { email = "" } = {}) {
  const resp = await fetch(ENDPOINTS.meToo(reportId), {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify(email ? { email } : {}),
  });
  return answer(resp);
}

/**
 * Send a report: `payload` is a plain object with the fields of POST /api/incidents/reports/
 * (category, description, lat, lon, name, email, register, register_item, use_photo_position,
 * website, client_request_id), `photos` a list of File/Blob. Gives the payload a
 * client_request_id if it has none (kept on the object, so a retry of the same payload is
 * recognised). Returns the server's answer {outcome, number, token, tracking_url, unit, reason}.
 */
export async function submitReport(payload, photos = []) {
  if (!payload.client_request_id) payload.client_request_id = newClientRequestId();
  const form = new FormData();
  for (const [key, value] of Object.entries(payload)) {
    if (value === undefined || value === null || value === "") continue;
    form.append(key, typeof value === "boolean" ? (value ? "true" : "false") : String(value));
  }
  photos.forEach((photo, i) => form.append("photos", photo, photo.name || `zdjecie-${i + 1}.jpg`));
  const resp = await fetch(ENDPOINTS.reports, {
    method: "POST",
    credentials: "same-origin",
    headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
    body: form,
  });
  return answer(resp);
}
