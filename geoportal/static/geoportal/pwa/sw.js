// The resident app's service worker (served as /sw.js with its version, paths and precache list
// above: self.SIP_PATHS are the site's paths as the browser asks for them, under a proxy's prefix).
//
// Caches: "sip-shell-<version>" holds the offline pages and the static files they need and is
// replaced by each new version; "sip-cemetery-<slug>" holds one downloaded cemetery (its page,
// data package, map tiles, orthophoto) and is never touched by an update — only "Usuń" on the
// page removes it. Requests to other origins are not handled here at all.
"use strict";
importScripts(self.SIP_CORE);

const PATHS = self.SIP_PATHS;
const SHELL = `sip-shell-${self.SIP_VERSION}`;
const CEMETERY_PREFIX = "sip-cemetery-";
const NETWORK_TIMEOUT_MS = 10000;

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL);
    await cache.addAll(self.SIP_PRECACHE);
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("sip-shell-") && name !== SHELL) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  if (event.data === "sip:forget-packages") packages = null;
});

// The downloaded cemetery packages, read from their caches once and kept while the worker lives.
let packages = null;
async function loadPackages() {
  if (packages) return packages;
  const out = [];
  for (const name of await caches.keys()) {
    if (!name.startsWith(CEMETERY_PREFIX)) continue;
    const slug = name.slice(CEMETERY_PREFIX.length);
    const resp = await (await caches.open(name)).match(`${PATHS.api_cemetery}cemeteries/${slug}/offline/`);
    if (resp) out.push(await resp.json());
  }
  packages = out;
  return out;
}

function json(status, body) {
  return new Response(JSON.stringify(body), {
    status, headers: { "Content-Type": "application/json; charset=utf-8", "X-SIP-Offline": "1" },
  });
}

async function fromNetwork(request) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), NETWORK_TIMEOUT_MS);
  try {
    return await fetch(request, { signal: controller.signal });
  } finally {
    clearTimeout(timer);
  }
}

// The cemetery API answered on the phone, from the downloaded packages; `path` is the request's
// path under the API's root (PATHS.api_cemetery), as in cemetery_routing/api_urls.py.
async function offlineApi(url) {
  const pkgs = await loadPackages();
  const core = self.SipOffline;
  const path = url.pathname.slice(PATHS.api_cemetery.length);
  let m;
  if (path === "burials/" || path === "graves/") {
    const slug = url.searchParams.get("cemetery");
    const chosen = slug ? pkgs.filter((p) => p.cemetery.slug === slug) : pkgs;
    if (!chosen.length) return null;
    const limit = Math.min(Number(url.searchParams.get("limit")) || 20, 100);
    const r = core.searchBurials(chosen, url.searchParams.get("q") || "", limit);
    return json(r.status, r.body);
  }
  if ((m = /^graves\/(\d+)\/route\/$/.exec(path))) {
    if (!core.findGrave(pkgs, Number(m[1]))) return null;
    const from = url.searchParams.get("from");
    let start = null;
    if (from) {
      const [lon, lat] = from.split(/[,;]/).map(Number);
      start = { lon, lat };
    }
    const r = core.route(pkgs, Number(m[1]), {
      gate: url.searchParams.get("gate") || "",
      stepFree: ["1", "true", "tak"].includes(url.searchParams.get("step_free") || ""),
      from: start,
    });
    return json(r.status, r.body);
  }
  if ((m = /^graves\/(\d+)\/$/.exec(path))) {
    const found = core.findGrave(pkgs, Number(m[1]));
    return found ? json(200, core.graveFeature(found.pkg, found.g)) : null;
  }
  if ((m = /^cemeteries\/([-\w]+)\/map\/$/.exec(path))) {
    const pkg = pkgs.find((p) => p.cemetery.slug === m[1]);
    return pkg ? json(200, pkg.map) : null;
  }
  return null;
}

async function handleNavigation(request) {
  try {
    return await fromNetwork(request);
  } catch (err) {
    const url = new URL(request.url);
    const stored = await caches.match(request, { ignoreSearch: true, ignoreVary: true });
    if (stored) return stored;
    const card = url.pathname.startsWith(PATHS.grave_card) ? url.pathname.slice(PATHS.grave_card.length) : "";
    if (/^\d+\/$/.test(card)) {
      const shell = await caches.match(PATHS.offline_grave, { ignoreVary: true });
      if (shell) return shell;
    }
    return (await caches.match(PATHS.offline, { ignoreVary: true })) || Response.error();
  }
}

async function handleApi(request) {
  try {
    return await fromNetwork(request);
  } catch (err) {
    const answer = await offlineApi(new URL(request.url));
    if (answer) return answer;
    const stored = await caches.match(request, { ignoreVary: true });
    if (stored) return stored;
    return json(503, { detail: "Brak połączenia z internetem, a tych danych nie ma w telefonie." });
  }
}

// Stored first: tiles, orthophotos and static files do not change under the same URL (a new
// worker version brings new static files; "Aktualizuj" downloads a cemetery again).
async function storedFirst(request) {
  const stored = await caches.match(request, { ignoreVary: true });
  if (stored) return stored;
  return fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(handleNavigation(request));
  } else if (url.pathname.startsWith(PATHS.api_cemetery)) {
    event.respondWith(handleApi(request));
  } else if (url.pathname === PATHS.wms && /getmap/i.test(url.searchParams.get("REQUEST") || url.searchParams.get("request") || "")) {
    event.respondWith(storedFirst(request));
  } else if (url.pathname.startsWith(PATHS.static) || url.pathname.startsWith(PATHS.media_cemetery)) {
    event.respondWith(storedFirst(request));
  }
});
