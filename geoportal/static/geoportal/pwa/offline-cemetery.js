// "Pobierz cmentarz na telefon": shows the size first (/api/geoportal/offline/cemeteries/<slug>/), then
// stores in the cache "sip-cemetery-<slug>" the cemetery's page, its data package (public graves,
// alleys, sections, the walking-route graph), the drone orthophoto and the map tiles of SIP's
// WMS at zooms 15–20 over its extent — the very URLs the page's map asks for, so the map, the
// search, the grave card and the route work without network. "Aktualizuj" downloads it again,
// "Usuń" removes it; a new version of the service worker leaves these caches alone.

// The public URLs of this site (#sip-urls, rendered by the server: prefixed behind a proxy).
const siteUrls = JSON.parse(document.getElementById("sip-urls").textContent);
const META_KEY = "sip-offline-cemeteries";
const PARALLEL = 4;

export function downloaded() {
  try { return JSON.parse(localStorage.getItem(META_KEY)) || {}; } catch { return {}; }
}
function remember(slug, meta) {
  const all = downloaded();
  if (meta) all[slug] = meta; else delete all[slug];
  localStorage.setItem(META_KEY, JSON.stringify(all));
}
const cacheName = (slug) => `sip-cemetery-${slug}`;

export function formatBytes(n) {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1).replace(".", ",")} MB`;
  return `${Math.max(1, Math.round(n / 1e3))} kB`;
}
function formatWhen(iso) {
  return new Intl.DateTimeFormat("pl-PL", { dateStyle: "long", timeStyle: "short" }).format(new Date(iso));
}

// The tile URLs the page's map requests over the bounds at the zooms: the map's own tile layer
// makes them (same parameters, same number formatting).
export function tileUrls(map, layer, bounds, zooms) {
  const urls = [];
  const [[south, west], [north, east]] = bounds;
  for (const z of zooms) {
    const nw = map.project(L.latLng(north, west), z).divideBy(256).floor();
    const se = map.project(L.latLng(south, east), z).divideBy(256).floor();
    for (let x = nw.x; x <= se.x; x++) {
      for (let y = nw.y; y <= se.y; y++) {
        const c = L.point(x, y);
        c.z = z;
        urls.push(layer.getTileUrl(c));
      }
    }
  }
  return urls;
}

async function store(cache, url, counter) {
  const resp = await fetch(url, { credentials: "same-origin" });
  if (!resp.ok) throw new Error(`${resp.status} ${url}`);
  const body = await resp.arrayBuffer();
  counter.bytes += body.byteLength;
  await cache.put(url, new Response(body, { status: resp.status, statusText: resp.statusText, headers: resp.headers }));
}

async function download(slug, size, progress) {
  const view = window.sipCemeteryMap;
  if (!view) throw new Error("Mapa cmentarza nie jest gotowa.");
  const cache = await caches.open(cacheName(slug));
  const counter = { bytes: 0 };
  await store(cache, size.data_url, counter);
  const pkg = await (await cache.match(size.data_url)).json();
  for (const url of size.pages) await store(cache, url, counter);
  let orthophoto = null;
  if (pkg.map.orthophoto) {
    // The drone photo is a file the server may not reach (media on another host): the map
    // works without it, so a failure is reported, not fatal.
    try { await store(cache, pkg.map.orthophoto.url, counter); orthophoto = true; } catch { orthophoto = false; }
  }
  const urls = tileUrls(view.map, view.tiles, size.bounds, size.zooms);
  let done = 0;
  progress(done, urls.length);
  const queue = urls.slice();
  await Promise.all(Array.from({ length: PARALLEL }, async () => {
    while (queue.length) {
      await store(cache, queue.shift(), counter);
      done += 1;
      progress(done, urls.length);
    }
  }));
  return { tiles: urls.length, bytes: counter.bytes, graves: pkg.graves.length, orthophoto };
}

function tellWorker() {
  if (navigator.serviceWorker && navigator.serviceWorker.controller) {
    navigator.serviceWorker.controller.postMessage("sip:forget-packages");
  }
}

async function remove(slug) {
  await caches.delete(cacheName(slug));
  remember(slug, null);
  tellWorker();
}

function button(text, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  b.addEventListener("click", onClick);
  return b;
}

export function mount(box, ready) {
  const slug = box.dataset.slug;
  const name = box.dataset.name;
  const out = box.querySelector(".offline-state") || box.appendChild(document.createElement("div"));
  const live = box.querySelector(".offline-progress") || box.appendChild(document.createElement("p"));
  live.className = "offline-progress";
  live.setAttribute("role", "status");

  async function showStored() {
    const meta = downloaded()[slug];
    const present = meta && (await caches.has(cacheName(slug)));
    out.textContent = "";
    if (!present) {
      if (meta) remember(slug, null);
      out.append(button("Pobierz cmentarz na telefon", () => askSize(false)));
      return;
    }
    const p = document.createElement("p");
    p.className = "offline-saved";
    p.textContent = `Pobrano na telefon ${formatWhen(meta.saved_at)}: ${meta.graves} grobów, ${meta.tiles} kafli mapy, ${formatBytes(meta.bytes)}${meta.orthophoto === false ? " (bez zdjęcia z drona: serwer go nie udostępnił)" : ""}. Wyszukiwarka, karta grobu i trasa działają bez sieci.`;
    out.append(p, button("Aktualizuj", () => askSize(true)), button("Usuń", async () => {
      await remove(slug);
      live.textContent = "Usunięto pobrany cmentarz z telefonu.";
      showStored();
    }));
  }

  async function askSize(update = false) {
    live.textContent = "Sprawdzam, ile danych trzeba pobrać…";
    let size;
    try {
      const resp = await fetch(`${siteUrls.api.geoportal}offline/cemeteries/${encodeURIComponent(slug)}/`);
      size = await resp.json();
      if (!resp.ok) throw new Error(size.detail || resp.status);
    } catch (err) {
      live.textContent = "Nie udało się sprawdzić rozmiaru (brak połączenia?). Spróbuj ponownie przy dostępie do sieci.";
      return;
    }
    live.textContent = "";
    out.textContent = "";
    const p = document.createElement("p");
    p.className = "offline-size";
    p.textContent = `Do pobrania około ${formatBytes(size.bytes)}: ${size.tiles} kafli mapy (powiększenia ${size.zooms[0]}–${size.zooms[size.zooms.length - 1]}), lista grobów, aleje, kwatery i sieć ścieżek${size.bytes_orthophoto ? ", zdjęcie z drona" : ""}.`;
    out.append(p, button(update ? "Pobierz ponownie" : "Zapisz w telefonie", () => run(size)), button("Anuluj", showStored));
  }

  async function run(size) {
    out.querySelectorAll("button").forEach((b) => { b.disabled = true; });
    await ready;
    let persisted = false;
    if (navigator.storage && navigator.storage.persist) {
      try { persisted = await navigator.storage.persist(); } catch { persisted = false; }
    }
    try {
      const result = await download(slug, size, (done, all) => {
        live.textContent = `Pobieranie mapy: ${done} z ${all} kafli…`;
      });
      remember(slug, { slug, name, saved_at: new Date().toISOString(), url: `${siteUrls.pages.cemeteries}${slug}/`, persisted, ...result });
      tellWorker();
      live.textContent = persisted
        ? "Gotowe: cmentarz jest w telefonie (przeglądarka zachowa dane na stałe)."
        : "Gotowe: cmentarz jest w telefonie (przeglądarka może usunąć dane, gdy zabraknie miejsca).";
    } catch (err) {
      live.textContent = `Pobieranie przerwane: ${err.message}. Spróbuj ponownie.`;
      if (!downloaded()[slug]) await caches.delete(cacheName(slug));
    }
    showStored();
  }

  showStored();
}

// The offline page: links to the cemeteries stored on this phone.
export function listDownloaded(list) {
  const all = Object.values(downloaded());
  list.textContent = "";
  if (!all.length) {
    const li = document.createElement("li");
    li.textContent = "Nie pobrano jeszcze żadnego cmentarza.";
    list.append(li);
  }
  for (const meta of all) {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = meta.url;
    a.textContent = meta.name;
    const small = document.createElement("small");
    small.textContent = ` pobrano ${formatWhen(meta.saved_at)}, ${formatBytes(meta.bytes)}`;
    li.append(a, small);
    list.append(li);
  }
}
