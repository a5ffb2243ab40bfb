// The resident's report form over the geoportal's map: place (pin, "Moja pozycja", the map's
// centre, a register object or a photo's position), category with icons, description, photos,
// optional contact; open reports nearby offered before a duplicate; the answer with the number
// and the tracking link. Whatever the resident typed stays in the form until a report is sent,
// also when the panel is closed and opened again or the server refuses something.

import { fetchCategories, fetchNearby, fetchRoute, meToo, newClientRequestId, ReportError, submitReport } from "./report.js";
import { gpsOfPhoto } from "./exif.js";

const MAX_PHOTOS = 5;
const MAX_PHOTO_BYTES = 15 * 1024 * 1024;
const MAX_DESCRIPTION = 4000;
const ICONS = new URL("./icons.svg", import.meta.url).pathname;
const KNOWN_ICONS = new Set([
  "road", "pothole", "sidewalk", "lamp", "tree", "grass", "waste", "dump", "bin", "bench", "drain", "water",
  "gas", "sign", "playground", "green", "snow", "grave", "parking", "animal", "noise", "bus", "other", "pin",
]);
const ICON_ALIASES = { trash: "waste", warning: "sign", pavement: "sidewalk", light: "lamp" };

let form = null; // the one instance for the page

const iconName = (name) => {
  const n = ICON_ALIASES[name] || name;
  return KNOWN_ICONS.has(n) ? n : "other";
};
const esc = (text) => String(text ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const icon = (name, cls = "rp-icon") =>
  `<svg class="${cls}" aria-hidden="true" focusable="false"><use href="${ICONS}#${iconName(name)}"></use></svg>`;
const fmt = (n) => n.toFixed(5).replace(".", ",");

const PANEL = `
<header class="rp-head">
  <h2 id="rp-title" tabindex="-1">${icon("pin")} Zgłoś problem</h2>
  <button type="button" class="rp-close" aria-label="Zamknij formularz zgłoszenia">×</button>
</header>
<div class="rp-picking-bar" aria-live="polite">
  <p>Dotknij mapy w miejscu problemu.</p>
  <button type="button" class="rp-pick-cancel">Wróć do formularza</button>
</div>
<form class="rp-form" novalidate>
  <p class="rp-error rp-general" role="alert" hidden></p>
  <fieldset class="rp-section" id="rp-place">
    <legend><span class="rp-step">1</span> Miejsce</legend>
    <p class="rp-place-status" aria-live="polite">Wskaż miejsce: dotknij mapy albo użyj swojej pozycji.</p>
    <div class="rp-object" hidden>
      <p></p>
      <button type="button" class="rp-link rp-object-clear">Nie dotyczy obiektu</button>
    </div>
    <div class="rp-buttons">
      <button type="button" class="rp-pick">${icon("pin")} Wskaż na mapie</button>
      <button type="button" class="rp-locate">Moja pozycja</button>
      <button type="button" class="rp-center">Środek mapy</button>
    </div>
    <p class="rp-error" id="rp-err-place" hidden></p>
  </fieldset>
  <fieldset class="rp-section" id="rp-category" aria-describedby="rp-err-category">
    <legend><span class="rp-step">2</span> Kategoria</legend>
    <div class="rp-categories"><p class="rp-muted">Wczytywanie kategorii…</p></div>
    <p class="rp-error" id="rp-err-category" hidden></p>
  </fieldset>
  <div class="rp-outside" role="status" hidden></div>
  <p class="rp-route" role="status" hidden></p>
  <section class="rp-nearby" aria-labelledby="rp-nearby-title" hidden>
    <h3 id="rp-nearby-title">Czy chodzi o to zgłoszenie?</h3>
    <p class="rp-muted">W pobliżu (do 50 m) są już otwarte zgłoszenia tej kategorii. Jeśli to ten sam problem, dołącz do zgłoszenia zamiast wysyłać nowe.</p>
    <ul></ul>
  </section>
  <div class="rp-section rp-rest">
    <label for="rp-description" class="rp-label"><span class="rp-step">3</span> Opis problemu</label>
    <textarea id="rp-description" name="description" rows="4" maxlength="${MAX_DESCRIPTION}"
      aria-describedby="rp-count rp-err-description" placeholder="Co się stało? Np. latarnia nie świeci od tygodnia."></textarea>
    <p class="rp-count" id="rp-count">0 / ${MAX_DESCRIPTION} znaków</p>
    <p class="rp-error" id="rp-err-description" hidden></p>
  </div>
  <fieldset class="rp-section rp-rest" id="rp-photos">
    <legend><span class="rp-step">4</span> Zdjęcia (nieobowiązkowo, najwyżej ${MAX_PHOTOS})</legend>
    <label class="rp-file">
      <input type="file" id="rp-photo-input" accept="image/jpeg,image/png,image/webp,image/heic,image/heif" multiple
        aria-describedby="rp-photo-help rp-err-photos">
      <span>Dodaj zdjęcie</span>
    </label>
    <p class="rp-muted" id="rp-photo-help">JPEG, PNG lub HEIC, do 15 MB każde. Przy zapisie usuwamy z nich dane aparatu i położenie.</p>
    <ul class="rp-thumbs"></ul>
    <label class="rp-check"><input type="checkbox" id="rp-photo-location"> Użyj położenia ze zdjęcia</label>
    <p class="rp-muted rp-photo-location-status" aria-live="polite"></p>
    <p class="rp-error" id="rp-err-photos" hidden></p>
  </fieldset>
  <fieldset class="rp-section rp-rest" id="rp-contact">
    <legend><span class="rp-step">5</span> Kontakt (nieobowiązkowo)</legend>
    <p class="rp-muted">Zgłoszenie może być anonimowe. Podaj e-mail, jeśli chcesz dostawać wiadomości o zmianach statusu. Twoich danych nie pokazujemy publicznie.</p>
    <label for="rp-name" class="rp-label">Imię i nazwisko</label>
    <input id="rp-name" name="reporter_name" autocomplete="name" maxlength="150" aria-describedby="rp-err-name">
    <p class="rp-error" id="rp-err-name" hidden></p>
    <label for="rp-email" class="rp-label">E-mail</label>
    <input id="rp-email" name="reporter_email" type="email" autocomplete="email" inputmode="email" maxlength="254" aria-describedby="rp-err-email">
    <p class="rp-error" id="rp-err-email" hidden></p>
  </fieldset>
  <div class="rp-hp" aria-hidden="true">
    <label for="rp-website">Nie wypełniaj tego pola</label>
    <input id="rp-website" name="website" tabindex="-1" autocomplete="off">
  </div>
  <div class="rp-submit rp-rest">
    <button type="submit" class="rp-primary">Wyślij zgłoszenie</button>
  </div>
</form>
<div class="rp-done" tabindex="-1" hidden></div>`;

class ReportForm {
  constructor(portal) {
    this.portal = portal;
    this.map = portal.map;
    this.gmina = portal.config.gmina.slug;
    this.latlng = null;
    this.placeSource = null; // "map", "gps", "centre", "object", "photo"
    this.beforePhoto = null; // the place chosen before "Użyj położenia ze zdjęcia"
    this.object = null;
    this.categories = [];
    this.photos = []; // {file, url, gps}
    this.clientRequestId = newClientRequestId();
    this.placeKey = "";
    this.route = null; // where the report would go (GET /api/incidents/route/)
    this.wantLocation = false;
    this.build();
  }

  // --- building and opening -------------------------------------------------------------
  build() {
    const el = document.createElement("section");
    el.id = "report-panel";
    el.className = "rp-panel";
    el.setAttribute("aria-labelledby", "rp-title");
    el.innerHTML = PANEL;
    el.hidden = true;
    (document.querySelector(".portal") || document.body).append(el);
    this.el = el;
    this.$ = (sel) => el.querySelector(sel);
    this.formEl = this.$(".rp-form");
    this.marker = L.marker([0, 0], {
      draggable: true,
      keyboard: false,
      icon: L.divIcon({ className: "rp-marker", html: icon("pin", "rp-marker-svg"), iconSize: [36, 36], iconAnchor: [18, 34] }),
      title: "Miejsce zgłoszenia",
    });
    this.marker.on("dragend", () => this.setPlace(this.marker.getLatLng(), "map"));

    this.$(".rp-close").addEventListener("click", () => this.close());
    el.addEventListener("keydown", (ev) => { if (ev.key === "Escape") this.close(); });
    this.$(".rp-pick").addEventListener("click", () => this.startPicking());
    this.$(".rp-pick-cancel").addEventListener("click", () => this.stopPicking());
    this.$(".rp-center").addEventListener("click", () => this.setPlace(this.map.getCenter(), "centre"));
    this.$(".rp-locate").addEventListener("click", () => this.locate());
    this.$(".rp-object-clear").addEventListener("click", () => { this.setObject(null); this.checkPlace(); });
    const text = this.$("#rp-description");
    text.addEventListener("input", () => this.updateCount());
    this.$("#rp-photo-input").addEventListener("change", (ev) => this.addPhotos(ev.target));
    this.$("#rp-photo-location").addEventListener("change", () => this.usePhotoLocation());
    this.formEl.addEventListener("submit", (ev) => { ev.preventDefault(); this.send(); });
    this.formEl.addEventListener("input", (ev) => this.clearError(ev.target));

    this.onMapClick = (ev) => {
      if (this.el.hidden) return;
      this.setPlace(ev.latlng, "map");
      if (this.el.classList.contains("rp-picking")) this.stopPicking();
    };
    this.onLocated = (ev) => {
      if (!this.wantLocation) return;
      this.wantLocation = false;
      this.setPlace(ev.detail, "gps");
    };
    this.onLocateError = (ev) => {
      if (!this.wantLocation) return;
      this.wantLocation = false;
      this.showError("place", `Nie udało się ustalić Twojej pozycji (${ev.message}). Wskaż miejsce na mapie.`);
    };
    this.loadCategories();
  }

  open({ object = null, latlng = null } = {}) {
    this.opener = document.activeElement;
    // The answer of the last report is still shown: opening again starts a new one.
    if (!this.$(".rp-done").hidden) this.reset();
    this.el.hidden = false;
    document.body.classList.add("rp-open");
    this.portal.captureClicks = true;
    this.map.on("click", this.onMapClick);
    this.map.on("locationerror", this.onLocateError);
    document.addEventListener("sip:located", this.onLocated);
    if (object) {
      this.setObject(object);
      this.setPlace(object.latlng, "object");
      this.showOnMap(object.latlng);
    } else if (latlng) this.setPlace(latlng, "map");
    if (this.latlng) this.marker.addTo(this.map);
    this.$("#rp-title").focus({ preventScroll: true });
  }

  close() {
    this.stopPicking();
    this.el.hidden = true;
    document.body.classList.remove("rp-open");
    this.portal.captureClicks = false;
    this.map.off("click", this.onMapClick);
    this.map.off("locationerror", this.onLocateError);
    document.removeEventListener("sip:located", this.onLocated);
    this.marker.remove();
    const back = this.opener && document.contains(this.opener) ? this.opener : document.getElementById("report-button");
    back?.focus();
  }

  reset() {
    this.formEl.reset();
    for (const p of this.photos) URL.revokeObjectURL(p.url);
    this.photos = [];
    this.renderPhotos();
    this.setObject(null);
    this.latlng = null;
    this.placeSource = null;
    this.beforePhoto = null;
    this.marker.remove();
    this.$(".rp-place-status").textContent = "Wskaż miejsce: dotknij mapy albo użyj swojej pozycji.";
    this.clientRequestId = newClientRequestId();
    this.updateCount();
    this.clearAllErrors();
    this.route = null;
    this.placeKey = "";
    this.renderRoute(null);
    this.renderOutside(null);
    this.renderNearby([]);
    this.formEl.hidden = false;
    this.$(".rp-done").hidden = true;
    this.$(".rp-done").textContent = "";
  }

  showOnMap(latlng) {
    const zoom = Math.max(this.map.getZoom(), 18);
    // The panel covers part of the map (on a phone its lower part, on a computer its right
    // side): the pin goes to the middle of the part left visible.
    const rect = this.el.getBoundingClientRect();
    const mapRect = this.map.getContainer().getBoundingClientRect();
    let shift = [0, 0];
    if (rect.top > mapRect.top + 50 && rect.left <= mapRect.left + 5) shift = [0, (mapRect.bottom - rect.top) / 2];
    else if (rect.left > mapRect.left + 50 && rect.left < mapRect.right) shift = [(mapRect.right - rect.left) / 2, 0];
    const centre = this.map.unproject(this.map.project(L.latLng(latlng), zoom).add(shift), zoom);
    this.map.setView(centre, zoom, { animate: false });
  }

  // --- place --------------------------------------------------------------------------
  startPicking() {
    this.el.classList.add("rp-picking");
    this.$(".rp-pick-cancel").focus();
  }

  stopPicking() {
    if (!this.el.classList.contains("rp-picking")) return;
    this.el.classList.remove("rp-picking");
    this.$(".rp-pick").focus();
  }

  locate() {
    this.wantLocation = true;
    this.$(".rp-place-status").textContent = "Ustalanie Twojej pozycji…";
    this.map.locate({ setView: false, enableHighAccuracy: true });
  }

  setPlace(latlng, source) {
    this.latlng = L.latLng(latlng);
    this.placeSource = source;
    if (source !== "photo") {
      this.beforePhoto = null;
      const box = this.$("#rp-photo-location");
      if (box.checked) { box.checked = false; this.$(".rp-photo-location-status").textContent = ""; }
    }
    this.marker.setLatLng(this.latlng).addTo(this.map);
    const how = { map: "wskazane na mapie", gps: "Twoja pozycja", centre: "środek mapy", object: "położenie obiektu", photo: "położenie ze zdjęcia" }[source];
    this.$(".rp-place-status").textContent = `Miejsce: ${how} (${fmt(this.latlng.lat)}, ${fmt(this.latlng.lng)}).`;
    this.clearError(this.$("#rp-place"));
    if (source === "gps" || source === "photo") this.showOnMap(this.latlng);
    this.checkPlace();
  }

  setObject(object) {
    this.object = object;
    const box = this.$(".rp-object");
    box.hidden = !object;
    if (object) {
      box.querySelector("p").innerHTML = `${icon(object.icon)} <span></span>`;
      box.querySelector("span").textContent = `Zgłaszasz usterkę obiektu: ${object.label}`;
      this.preselectCategory(object);
    }
  }

  // --- categories ---------------------------------------------------------------------
  async loadCategories() {
    const box = this.$(".rp-categories");
    try {
      const body = await fetchCategories(this.gmina);
      this.groups = (body.groups || []).filter((g) => g.categories.length).map((g) => ({ ...g, items: g.categories }));
      this.categories = this.groups.flatMap((g) => g.items);
    } catch (err) {
      box.innerHTML = '<p class="rp-error"></p><button type="button" class="rp-retry">Spróbuj ponownie</button>';
      box.querySelector("p").textContent = err instanceof ReportError ? err.message : "Nie udało się wczytać kategorii. Sprawdź połączenie.";
      box.querySelector(".rp-retry").addEventListener("click", () => this.loadCategories());
      return;
    }
    box.textContent = "";
    for (const g of this.groups) {
      const fs = document.createElement("fieldset");
      fs.className = "rp-group";
      fs.innerHTML = `<legend>${icon(g.icon || g.items[0].icon, "rp-icon rp-icon-small")} ${esc(g.name)}</legend>`;
      for (const c of g.items) {
        const label = document.createElement("label");
        label.className = "rp-cat";
        label.innerHTML = `<input type="radio" name="category" value="${esc(c.code)}">${icon(c.icon || g.icon)}<span>${esc(c.name)}</span>`;
        if (c.description) label.title = c.description;
        label.querySelector("input").addEventListener("change", () => this.chooseCategory(c));
        fs.append(label);
      }
      box.append(fs);
    }
    if (this.object) this.preselectCategory(this.object);
  }

  category() {
    const code = this.formEl.querySelector("input[name=category]:checked")?.value;
    return this.categories.find((c) => c.code === code) || null;
  }

  preselectCategory(object) {
    if (this.category()) return;
    const match = this.categories.find((c) => c.icon === object.icon && !this.outsideOf(c));
    if (!match) return;
    const input = this.formEl.querySelector(`input[name=category][value="${CSS.escape(match.code)}"]`);
    if (input) { input.checked = true; this.chooseCategory(match); }
  }

  /** The office to contact instead of a report, when the gmina says so for the category. */
  outsideOf(c) {
    if (!c || c.handling !== "outside" || !c.outside) return null;
    return { ...(c.outside.unit || {}), message: c.outside.message };
  }

  chooseCategory(c) {
    this.clearError(this.$("#rp-category"));
    this.renderOutside(this.outsideOf(c));
    this.checkPlace();
  }

  renderOutside(office) {
    const box = this.$(".rp-outside");
    box.hidden = !office;
    this.el.classList.toggle("rp-is-outside", !!office);
    if (!office) { box.textContent = ""; return; }
    box.innerHTML = officeHtml(office, "Tą sprawą nie zajmuje się gmina. Zgłoś ją bezpośrednio:");
    this.reveal(box);
  }

  // --- where it would go, and open reports nearby ----------------------------------------
  async checkPlace() {
    const c = this.category();
    this.route = null;
    this.renderRoute(null);
    if (!c || !this.latlng) { this.renderNearby([]); return; }
    if (this.outsideOf(c)) { this.renderNearby([]); return; }
    const place = {
      category: c.code, lat: this.latlng.lat, lon: this.latlng.lng,
      register: this.object?.register, registerItem: this.object?.id,
    };
    const key = `${c.code}@${place.lat.toFixed(6)},${place.lon.toFixed(6)}/${place.registerItem || ""}`;
    this.placeKey = key;
    // Both are help before sending: without them (no network) the report can still be sent.
    const [route, nearby] = await Promise.allSettled([fetchRoute(place), fetchNearby(place)]);
    if (key !== this.placeKey) return;
    if (route.status === "fulfilled") {
      this.route = route.value;
      this.renderRoute(route.value);
    } else if (route.reason instanceof ReportError && route.reason.status === 400) {
      // e.g. a point outside every partner gmina: said next to the place at once
      const f = route.reason.fields;
      this.showError("place", f.position || f.lat || f.lon || route.reason.detail || route.reason.message);
    }
    const outside = this.route && this.route.outside;
    this.renderNearby(!outside && nearby.status === "fulfilled" ? nearby.value.results || [] : []);
  }

  renderRoute(route) {
    const box = this.$(".rp-route");
    if (route && route.outside) {
      box.hidden = true;
      this.renderOutside({ ...route.unit, message: route.reason });
      return;
    }
    if (!this.outsideOf(this.category())) this.renderOutside(null);
    box.hidden = !route;
    if (!route) { box.textContent = ""; return; }
    box.textContent = route.by_email
      ? `Ta sprawa należy do: ${route.unit.name}. Gmina przekaże tam Twoje zgłoszenie e-mailem.`
      : `Zgłoszenie trafi do: ${route.unit.name}.`;
  }

  renderNearby(reports) {
    const box = this.$(".rp-nearby");
    const list = box.querySelector("ul");
    list.textContent = "";
    box.hidden = !reports.length;
    for (const r of reports) {
      const li = document.createElement("li");
      li.innerHTML = `<p><strong></strong> <span class="rp-badge"></span></p><p class="rp-desc"></p><p class="rp-muted rp-meta"></p>
        <button type="button" class="rp-metoo">Mnie też to dotyczy</button>`;
      li.querySelector("strong").textContent = r.number;
      li.querySelector(".rp-badge").textContent = r.status_label || r.status || "";
      li.querySelector(".rp-desc").textContent = r.description ? truncate(r.description, 160) : "";
      const bits = [];
      if (r.distance_m != null) bits.push(`${Math.round(r.distance_m)} m stąd`);
      if (r.created_at) bits.push(`zgłoszono ${dateText(r.created_at)}`);
      if (r.me_too_count) bits.push(`„mnie też”: ${r.me_too_count}`);
      li.querySelector(".rp-meta").textContent = bits.join(" · ");
      li.querySelector(".rp-metoo").addEventListener("click", (ev) => this.sendMeToo(r, ev.target));
      list.append(li);
    }
    if (reports.length) this.reveal(box.querySelector("h3"));
  }

  async sendMeToo(report, button) {
    button.disabled = true;
    button.textContent = "Wysyłanie…";
    try {
      const body = await meToo(report.id, { email: this.$("#rp-email").value.trim() });
      this.showDone(
        `<h3>Dziękujemy!</h3><p>Dopisaliśmy Twój głos do zgłoszenia <strong>${esc(body.number || report.number)}</strong>.
         Zamiast nowego zgłoszenia urząd widzi, że problem dotyczy więcej osób
         (zgłosiło go już ${esc(people((body.me_too_count || 0) + 1))}).</p>`,
      );
    } catch (err) {
      button.disabled = false;
      button.textContent = "Mnie też to dotyczy";
      this.showGeneral(err instanceof ReportError ? err.message : "Brak połączenia z serwerem. Spróbuj ponownie.");
    }
  }

  // --- description and photos ---------------------------------------------------------
  updateCount() {
    const n = this.$("#rp-description").value.length;
    const out = this.$("#rp-count");
    out.textContent = `${n} / ${MAX_DESCRIPTION} znaków`;
    out.classList.toggle("rp-near-limit", n > MAX_DESCRIPTION - 200);
  }

  async addPhotos(input) {
    const files = [...input.files];
    input.value = ""; // the same photo can be chosen again after removing it
    const problems = [];
    for (const file of files) {
      if (this.photos.length >= MAX_PHOTOS) { problems.push(`Można dodać najwyżej ${MAX_PHOTOS} zdjęć.`); break; }
      if (file.size > MAX_PHOTO_BYTES) { problems.push(`„${file.name}” ma ponad 15 MB.`); continue; }
      if (file.type && !file.type.startsWith("image/")) { problems.push(`„${file.name}” nie jest zdjęciem.`); continue; }
      this.photos.push({ file, url: URL.createObjectURL(file), gps: await gpsOfPhoto(file) });
    }
    this.clearError(this.$("#rp-photos"));
    if (problems.length) this.showError("photos", problems.join(" "));
    this.renderPhotos();
    if (this.$("#rp-photo-location").checked) this.usePhotoLocation();
  }

  renderPhotos() {
    const list = this.$(".rp-thumbs");
    list.textContent = "";
    this.photos.forEach((p, i) => {
      const li = document.createElement("li");
      li.innerHTML = `<img alt=""><span class="rp-thumb-name"></span><button type="button" class="rp-remove">Usuń</button>`;
      const img = li.querySelector("img");
      img.src = p.url;
      img.alt = `Zdjęcie ${i + 1}: ${p.file.name}`;
      img.addEventListener("error", () => { img.hidden = true; }); // HEIC: no preview, the name stays
      li.querySelector(".rp-thumb-name").textContent = p.gps ? `${p.file.name} (z położeniem)` : p.file.name;
      const remove = li.querySelector(".rp-remove");
      remove.setAttribute("aria-label", `Usuń zdjęcie ${i + 1}: ${p.file.name}`);
      remove.addEventListener("click", () => {
        URL.revokeObjectURL(p.url);
        this.photos.splice(i, 1);
        this.renderPhotos();
        if (this.$("#rp-photo-location").checked) this.usePhotoLocation();
        this.$("#rp-photo-input").focus();
      });
      list.append(li);
    });
    this.$(".rp-file span").textContent = this.photos.length ? "Dodaj kolejne zdjęcie" : "Dodaj zdjęcie";
    this.$(".rp-file").classList.toggle("rp-disabled", this.photos.length >= MAX_PHOTOS);
    this.$("#rp-photo-input").disabled = this.photos.length >= MAX_PHOTOS;
  }

  usePhotoLocation() {
    const box = this.$("#rp-photo-location");
    const status = this.$(".rp-photo-location-status");
    if (!box.checked) {
      status.textContent = "";
      if (this.placeSource === "photo") {
        const back = this.beforePhoto;
        this.beforePhoto = null;
        if (back) this.setPlace(back.latlng, back.source);
        else { this.latlng = null; this.marker.remove(); this.$(".rp-place-status").textContent = "Wskaż miejsce: dotknij mapy albo użyj swojej pozycji."; }
      }
      return;
    }
    const withGps = this.photos.find((p) => p.gps);
    if (!withGps) {
      status.textContent = this.photos.length ? "Żadne z dodanych zdjęć nie ma zapisanego położenia." : "Dodaj zdjęcie z zapisanym położeniem.";
      return;
    }
    if (this.placeSource !== "photo") this.beforePhoto = this.latlng ? { latlng: this.latlng, source: this.placeSource } : null;
    this.setPlace(withGps.gps, "photo");
    status.textContent = `Użyto położenia ze zdjęcia „${withGps.file.name}”.`;
  }

  // --- errors -------------------------------------------------------------------------
  errorBox(field) {
    const id = {
      position: "place", lat: "place", lon: "place", register: "place", register_item: "place",
      category: "category", description: "description", photos: "photos", use_photo_position: "photos",
      name: "name", email: "email",
    }[field] || field;
    return this.$(`#rp-err-${id}`);
  }

  /** The control a field's error belongs to (marked invalid, focused first). */
  control(id) {
    const sel = { place: ".rp-pick", category: "input[name=category]", description: "#rp-description", photos: "#rp-photo-input", name: "#rp-name", email: "#rp-email" }[id];
    return sel ? this.$(sel) : null;
  }

  showError(field, message) {
    const box = this.errorBox(field);
    if (!box) return false;
    box.textContent = box.hidden ? message : `${box.textContent} ${message}`;
    box.hidden = false;
    const input = this.control(box.id.replace("rp-err-", ""));
    if (input && (input.tagName === "TEXTAREA" || input.tagName === "INPUT") && input.type !== "radio" && input.type !== "file") {
      input.setAttribute("aria-invalid", "true");
    }
    return true;
  }

  /** Scroll the form (only the form, not the page) so that `el` is in view. */
  reveal(el) {
    const f = this.formEl.getBoundingClientRect();
    const r = el.getBoundingClientRect();
    if (r.top < f.top || r.bottom > f.bottom - 70) this.formEl.scrollTop += r.top - f.top - 12;
  }

  showGeneral(message) {
    const box = this.$(".rp-general");
    box.textContent = message;
    box.hidden = false;
  }

  clearError(target) {
    const section = target.closest?.("fieldset.rp-section, .rp-section") || target;
    for (const e of section.querySelectorAll(".rp-error")) { e.hidden = true; e.textContent = ""; }
    for (const i of section.querySelectorAll("[aria-invalid]")) i.removeAttribute("aria-invalid");
  }

  clearAllErrors() {
    for (const e of this.el.querySelectorAll(".rp-error")) { e.hidden = true; e.textContent = ""; }
    for (const i of this.el.querySelectorAll("[aria-invalid]")) i.removeAttribute("aria-invalid");
  }

  focusFirstError() {
    const first = [...this.el.querySelectorAll(".rp-error")].find((e) => !e.hidden);
    if (!first) return;
    const target = this.control(first.id.replace("rp-err-", "")) || first;
    this.reveal(first.closest("fieldset, .rp-section") || first);
    if (target === first) first.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: true });
  }

  // --- sending --------------------------------------------------------------------------
  payload() {
    const c = this.category();
    const p = {
      client_request_id: this.clientRequestId,
      category: c ? c.code : "",
      description: this.$("#rp-description").value.trim(),
      lat: this.latlng ? this.latlng.lat.toFixed(7) : "",
      lon: this.latlng ? this.latlng.lng.toFixed(7) : "",
      name: this.$("#rp-name").value.trim(),
      email: this.$("#rp-email").value.trim(),
      // The photo's EXIF position is used only when the resident ticked the box.
      use_photo_position: this.placeSource === "photo",
      website: this.$("#rp-website").value,
    };
    if (this.object) {
      p.register = this.object.register;
      p.register_item = this.object.id;
    }
    return p;
  }

  validate(p) {
    let ok = true;
    if (!p.lat) ok = this.showError("place", "Wskaż miejsce problemu na mapie.") && false;
    if (!p.category) ok = this.showError("category", "Wybierz kategorię.") && false;
    if (!p.description) ok = this.showError("description", "Opisz problem.") && false;
    if (p.email && !this.$("#rp-email").checkValidity()) ok = this.showError("email", "To nie jest poprawny adres e-mail.") && false;
    return ok;
  }

  async send() {
    this.clearAllErrors();
    const p = this.payload();
    if (!this.validate(p)) { this.focusFirstError(); return; }
    const button = this.$(".rp-primary");
    button.disabled = true;
    button.textContent = "Wysyłanie…";
    this.formEl.setAttribute("aria-busy", "true");
    try {
      // The resident app's outbox (geoportal) keeps a report that cannot go now and sends it
      // when the network returns; without it (no IndexedDB) the report goes straight out.
      const outbox = window.sipOutbox ? await window.sipOutbox : null;
      const photos = this.photos.map((x) => x.file);
      const result = outbox ? await outbox.submit(p, photos) : { sent: true, answer: await submitReport(p, photos) };
      if (result.sent) this.showAnswer(result.answer);
      else {
        this.showDone(`<h3>Zgłoszenie czeka na wysłanie</h3><p>Nie ma teraz połączenia z serwerem. Zgłoszenie ze zdjęciami
          zapisaliśmy w telefonie i wyślemy je, gdy wróci sieć (także po ponownym otwarciu aplikacji). Stan widać na górze
          strony: „Oczekujące”.</p>`);
      }
    } catch (err) {
      if (err instanceof ReportError) {
        let placed = false;
        for (const [field, message] of Object.entries(err.fields)) placed = this.showError(field, message) || placed;
        const rest = Object.entries(err.fields).filter(([f]) => !this.errorBox(f)).map(([, m]) => m);
        if (err.detail || rest.length || !placed) this.showGeneral([err.detail, ...rest].filter(Boolean).join(" ") || err.message);
      } else {
        this.showGeneral("Brak połączenia z serwerem. Nic nie zginęło: spróbuj wysłać ponownie za chwilę.");
      }
      if (!this.$(".rp-general").hidden) {
        this.formEl.scrollTop = 0;
        this.$(".rp-general").setAttribute("tabindex", "-1");
        this.$(".rp-general").focus({ preventScroll: true });
      } else this.focusFirstError();
    } finally {
      button.disabled = false;
      button.textContent = "Wyślij zgłoszenie";
      this.formEl.removeAttribute("aria-busy");
    }
  }

  showAnswer(a) {
    const unit = a.unit || {};
    const unitName = unit.name;
    if (a.outcome === "outside") {
      this.showDone(`<h3>Tą sprawą zajmuje się inny urząd</h3>${officeHtml({ ...unit, message: a.reason }, "Zgłoszenia nie zapisaliśmy. Skontaktuj się bezpośrednio:")}`);
      return;
    }
    // Sent on by e-mail: the routing preview said so for this very unit.
    const forwarded = !!(this.route && this.route.by_email && this.route.unit && this.route.unit.id === unit.id);
    let html = `<h3>${forwarded ? "Zgłoszenie przekazane" : "Dziękujemy! Zgłoszenie przyjęte"}</h3>`;
    if (a.number) html += `<p class="rp-number">Numer zgłoszenia: <strong>${esc(a.number)}</strong></p>`;
    if (unitName) {
      html += forwarded
        ? `<p>Ta sprawa należy do: <strong>${esc(unitName)}</strong>. Przekazaliśmy Twoje zgłoszenie e-mailem do tej jednostki.</p>`
        : `<p>Trafiło do: <strong>${esc(unitName)}</strong>.</p>`;
      if (a.reason) html += `<p class="rp-muted">${esc(a.reason)}</p>`;
    }
    if (a.outcome === "existing") html += `<p class="rp-muted">To zgłoszenie zostało już wcześniej przyjęte – nie powstał duplikat.</p>`;
    if (this.$("#rp-email").value.trim()) html += `<p class="rp-muted">O zmianach statusu napiszemy na podany adres e-mail.</p>`;
    this.showDone(html, a.tracking_url || (a.token ? `${JSON.parse(document.getElementById("sip-urls").textContent).incidents_track}${a.token}/` : ""));
  }

  showDone(html, trackingUrl = "") {
    const done = this.$(".rp-done");
    done.innerHTML = html;
    if (trackingUrl) {
      const url = new URL(trackingUrl, location.origin).href;
      const p = document.createElement("div");
      p.className = "rp-track";
      p.innerHTML = `<p>Zapisz ten link – pod nim sprawdzisz, co dzieje się ze zgłoszeniem:</p>
        <p><a class="rp-track-link"></a></p><button type="button" class="rp-copy">Kopiuj link</button>`;
      const a = p.querySelector("a");
      a.href = url;
      a.textContent = url;
      p.querySelector(".rp-copy").addEventListener("click", async (ev) => {
        try { await navigator.clipboard.writeText(url); ev.target.textContent = "Skopiowano"; }
        catch { ev.target.textContent = "Zaznacz link i skopiuj"; }
      });
      done.append(p);
    }
    const actions = document.createElement("div");
    actions.className = "rp-buttons";
    actions.innerHTML = `<button type="button" class="rp-new">Zgłoś kolejny problem</button><button type="button" class="rp-finish">Zamknij</button>`;
    actions.querySelector(".rp-new").addEventListener("click", () => { this.reset(); this.$("#rp-title").focus({ preventScroll: true }); });
    actions.querySelector(".rp-finish").addEventListener("click", () => { this.reset(); this.close(); });
    done.append(actions);
    this.formEl.hidden = true;
    done.hidden = false;
    this.marker.remove();
    done.focus({ preventScroll: true });
  }
}

function officeHtml(office, intro) {
  const lines = [`<p>${esc(intro)}</p>`, `<p class="rp-office"><strong>${esc(office.name || "")}</strong>`];
  if (office.phone) lines.push(`<br>tel. <a href="tel:${esc(String(office.phone).replace(/[^+\d]/g, ""))}">${esc(office.phone)}</a>`);
  if (office.email) lines.push(`<br>e-mail: <a href="mailto:${esc(office.email)}">${esc(office.email)}</a>`);
  if (office.website) lines.push(`<br><a href="${esc(/^https?:\/\//.test(office.website) ? office.website : "#")}" rel="noopener" target="_blank">${esc(office.website)}</a>`);
  lines.push("</p>");
  if (office.message) lines.push(`<p>${esc(office.message)}</p>`);
  return lines.join("");
}

function people(n) {
  const few = n % 10 >= 2 && n % 10 <= 4 && !(n % 100 >= 12 && n % 100 <= 14);
  return `${n} ${n === 1 ? "osoba" : few ? "osoby" : "osób"}`;
}
function truncate(text, n) { return text.length > n ? `${text.slice(0, n - 1)}…` : text; }
function dateText(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleDateString("pl-PL", { day: "numeric", month: "long", year: "numeric" });
}

/** Open the form over the geoportal's map; `object` (a register object) or `latlng` optional. */
export function openReportForm(portal, options = {}) {
  form ??= new ReportForm(portal);
  form.open(options);
  return form;
}
