// The resident app's offline core: text folding, grave search, grave cards and walking routes
// computed on the phone from a downloaded cemetery package (/api/cemetery/cemeteries/<slug>/offline/).
// A classic script (the service worker loads it with importScripts, pages with <script>): it
// defines self.SipOffline. The answers have the shapes of the server's API, so the pages use
// them unchanged; the route is the server's rule (cemetery_routing.routes) done in JavaScript.
"use strict";
(function (root) {
  const WALKING_SPEED_M_S = 1.2;

  // --- folding, as sip/text.py fold() (and the database's sip_fold): NFKD, no combining marks
  // or invisible characters, lower case character by character (no final-sigma rule), ł đ ø ß
  // and typographic dashes and quotes made ASCII, single spaces. The e2e test compares the two.
  const FOLDED = { "ł": "l", "đ": "d", "ø": "o", "ß": "ss" };
  for (const c of "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d") FOLDED[c] = "-";
  for (const c of "\u201c\u201d\u201e\u201f\u00ab\u00bb") FOLDED[c] = '"';
  for (const c of "\u2018\u2019\u201a\u201b\u2032\u2039\u203a") FOLDED[c] = "'";
  const FOLDED_RE = new RegExp("[" + Object.keys(FOLDED).join("") + "]", "gu");
  // Python drops characters of a non-zero combining class (the nonspacing marks, Mn), and these.
  const DROPPED_RE = /[\p{Mn}\u00ad\u200b\u200c\u200d\u2060\ufeff]/gu;
  function fold(text) {
    let lowered = "";
    for (const c of (text || "").normalize("NFKD")) lowered += c.toLowerCase();
    const plain = lowered.replace(DROPPED_RE, "").replace(FOLDED_RE, (c) => FOLDED[c]);
    // Python's str.split() also splits at the information separators U+001C–U+001F.
    return plain.split(/[\s\u001c-\u001f]+/).filter(Boolean).join(" ");
  }

  function nameTokens(b) {
    const out = [];
    for (const name of [b.surname, b.first_name, b.family_name]) {
      for (const w of fold((name || "").replace(/-/g, " ")).split(" ")) if (w && !out.includes(w)) out.push(w);
    }
    return out;
  }

  // Levenshtein distance, stopping early above `limit`.
  function edits(a, b, limit) {
    if (Math.abs(a.length - b.length) > limit) return limit + 1;
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const cur = [i];
      let best = i;
      for (let j = 1; j <= b.length; j++) {
        cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        best = Math.min(best, cur[j]);
      }
      if (best > limit) return limit + 1;
      prev = cur;
    }
    return prev[b.length];
  }

  // A query: name words (folded, letters) and years, as cemetery_routing.search.parse_query.
  function parseQuery(q) {
    const words = [], years = [];
    for (const w of fold(q).split(/[^\p{L}\p{N}]+/u)) {
      if (/^\d{4}$/.test(w)) years.push(Number(w));
      else if (/^\p{L}{2,}$/u.test(w)) words.push(w);
    }
    return { words, years };
  }

  // Typos allowed for a word of this length (the server's rule: none below 4 letters).
  function allowed(word) { return word.length >= 8 ? 2 : word.length >= 4 ? 1 : 0; }

  function matchBurial(b, query) {
    const tokens = b._tokens || (b._tokens = nameTokens(b));
    let total = 0;
    for (const w of query.words) {
      let best = Infinity;
      for (const t of tokens) {
        const d = t === w ? 0 : edits(w, t, allowed(w));
        if (d < best) best = d;
      }
      if (best > allowed(w)) return null;
      total += best;
    }
    for (const y of query.years) {
      const years = [b.birth_date, b.death_date, b.burial_date].filter(Boolean).map((d) => Number(d.slice(0, 4)));
      if (!years.includes(y)) return null;
    }
    return total;
  }

  // The site's paths: the service worker's (root.SIP_PATHS, set above its code by /sw.js; behind
  // a proxy they carry its prefix), or those of a site at the root.
  function graveUrls(id) {
    const api = root.SIP_PATHS?.api_cemetery || "/api/cemetery/";
    const card = root.SIP_PATHS?.grave_card || "/cmentarze/grob/";
    return {
      url: `${api}graves/${id}/`,
      card_url: `${card}${id}/`,
      route_url: `${api}graves/${id}/route/`,
    };
  }

  function graveLocation(pkg, g) {
    const c = pkg.cemetery;
    return { cemetery: { id: c.id, name: c.name, slug: c.slug }, section: g.section, row: g.row, number: g.number, label: g.label };
  }

  // Burials matching a query, best first, as /api/cemetery/burials/ answers (a FeatureCollection).
  function searchBurials(packages, q, limit = 20) {
    const query = parseQuery(q);
    if (!query.words.length) return { status: 400, body: { detail: "Podaj nazwisko lub imię (co najmniej dwie litery)." } };
    const hits = [];
    for (const pkg of packages) {
      for (const g of pkg.graves) {
        for (const b of g.burials) {
          const d = matchBurial(b, query);
          if (d !== null) hits.push({ pkg, g, b, d });
        }
      }
    }
    hits.sort((x, y) => x.d - y.d || fold(x.b.surname).localeCompare(fold(y.b.surname)) || x.b.id - y.b.id);
    const features = hits.slice(0, limit).map(({ pkg, g, b, d }) => {
      const { _tokens, ...pub } = b;
      return {
        type: "Feature", id: b.id, geometry: { type: "Point", coordinates: [g.lon, g.lat] },
        properties: { ...pub, grave: { id: g.id, ...graveLocation(pkg, g), ...graveUrls(g.id) }, edits: d },
      };
    });
    return {
      status: 200,
      body: { type: "FeatureCollection", numberMatched: hits.length, numberReturned: features.length, offline: true, features },
    };
  }

  function findGrave(packages, id) {
    for (const pkg of packages) {
      const g = pkg.graves.find((x) => x.id === id);
      if (g) return { pkg, g };
    }
    return null;
  }

  // One grave as /api/cemetery/graves/<id>/ answers.
  function graveFeature(pkg, g) {
    const burials = g.burials.map(({ _tokens, ...pub }) => pub);
    return {
      type: "Feature", id: g.id, geometry: { type: "Point", coordinates: [g.lon, g.lat] },
      properties: {
        ...graveLocation(pkg, g), kind: g.kind, status: g.status, status_label: g.status_label,
        burials, photos: g.photos, ...graveUrls(g.id),
      },
    };
  }

  // --- PL-1992 (EPSG:2180) from WGS 84: transverse Mercator on GRS 80 (Krüger series) ---
  const TM = (() => {
    const a = 6378137, f = 1 / 298.257222101, n = f / (2 - f);
    const A = a / (1 + n) * (1 + n * n / 4 + n ** 4 / 64);
    const alpha = [
      n / 2 - 2 * n * n / 3 + 5 * n ** 3 / 16 + 41 * n ** 4 / 180,
      13 * n * n / 48 - 3 * n ** 3 / 5 + 557 * n ** 4 / 1440,
      61 * n ** 3 / 240 - 103 * n ** 4 / 140,
      49561 * n ** 4 / 161280,
    ];
    return { A, alpha, e: 2 * Math.sqrt(n) / (1 + n) };
  })();
  function toPl1992(lon, lat) {
    const rad = Math.PI / 180, phi = lat * rad, dl = (lon - 19) * rad;
    const t = Math.sinh(Math.atanh(Math.sin(phi)) - TM.e * Math.atanh(TM.e * Math.sin(phi)));
    const xi = Math.atan2(t, Math.cos(dl)), eta = Math.atanh(Math.sin(dl) / Math.sqrt(1 + t * t));
    let x = eta, y = xi;
    TM.alpha.forEach((al, i) => {
      const j = 2 * (i + 1);
      x += al * Math.cos(j * xi) * Math.sinh(j * eta);
      y += al * Math.sin(j * xi) * Math.cosh(j * eta);
    });
    return [500000 + 0.9993 * TM.A * x, -5300000 + 0.9993 * TM.A * y];
  }

  // --- geometry on the alley edges (EPSG:2180 metres; lon/lat interpolated alongside) ---
  const dist = (p, q) => Math.hypot(q[0] - p[0], q[1] - p[1]);

  function pointInRing(pt, ring) {
    let inside = false;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i], [xj, yj] = ring[j];
      if ((yi > pt[1]) !== (yj > pt[1]) && pt[0] < (xj - xi) * (pt[1] - yi) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }
  function inOutline(pkg, pt) {
    return pkg.outline_2180.some((poly) => pointInRing(pt, poly[0]) && !poly.slice(1).some((hole) => pointInRing(pt, hole)));
  }

  function edgeObj(row) {
    const [id, source, target, length, stepFree, component, alleyId, xy, ll] = row;
    const cum = [0];
    for (let i = 1; i < xy.length; i++) cum.push(cum[i - 1] + dist(xy[i - 1], xy[i]));
    return { id, source, target, length, stepFree, component, alleyId, xy, ll, cum, total: cum[cum.length - 1] };
  }

  // The nearest point of an edge to pt: fraction along it, distance, the point (xy and lon/lat).
  function project(e, pt) {
    let best = null;
    for (let i = 1; i < e.xy.length; i++) {
      const p = e.xy[i - 1], q = e.xy[i], dx = q[0] - p[0], dy = q[1] - p[1], l2 = dx * dx + dy * dy;
      const t = l2 ? Math.max(0, Math.min(1, ((pt[0] - p[0]) * dx + (pt[1] - p[1]) * dy) / l2)) : 0;
      const c = [p[0] + t * dx, p[1] + t * dy], d = dist(c, pt);
      if (!best || d < best.distance) best = { distance: d, along: e.cum[i - 1] + t * Math.sqrt(l2) };
    }
    return { fraction: e.total ? best.along / e.total : 0, distance: best.distance };
  }

  // The point at a fraction of an edge, in both coordinate systems.
  function pointAt(e, fraction) {
    const along = fraction * e.total;
    for (let i = 1; i < e.xy.length; i++) {
      if (e.cum[i] >= along || i === e.xy.length - 1) {
        const seg = e.cum[i] - e.cum[i - 1], t = seg ? Math.max(0, Math.min(1, (along - e.cum[i - 1]) / seg)) : 0;
        const lerp = (p, q) => [p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])];
        return { xy: lerp(e.xy[i - 1], e.xy[i]), ll: lerp(e.ll[i - 1], e.ll[i]) };
      }
    }
    return { xy: e.xy[0], ll: e.ll[0] };
  }

  // The piece of an edge between two fractions, in walking order: [{xy, ll}, ...].
  function piece(e, fa, fb) {
    const lo = Math.min(fa, fb), hi = Math.max(fa, fb);
    const pts = [pointAt(e, lo)];
    for (let i = 1; i < e.xy.length - 1; i++) {
      const f = e.total ? e.cum[i] / e.total : 0;
      if (f > lo && f < hi) pts.push({ xy: e.xy[i], ll: e.ll[i] });
    }
    pts.push(pointAt(e, hi));
    return fa <= fb ? pts : pts.reverse();
  }

  function graph(pkg) {
    if (!pkg._graph) {
      const edges = new Map(pkg.edges.map((r) => { const e = edgeObj(r); return [e.id, e]; }));
      pkg._graph = { edges };
    }
    return pkg._graph;
  }

  // Where a point meets the network: the stored access of the server's build when it has one
  // (its position unchanged), else the nearest usable edge.
  function snap(pkg, obj, pt, stepFree) {
    const g = graph(pkg);
    const stored = obj && obj.access && obj.access[stepFree ? "1" : "0"];
    if (stored && g.edges.has(stored[0])) {
      return { edge: g.edges.get(stored[0]), fraction: stored[1], distance: stored[2] };
    }
    let best = null;
    for (const e of g.edges.values()) {
      if (stepFree && !e.stepFree) continue;
      const p = project(e, pt);
      if (!best || p.distance < best.distance) best = { edge: e, ...p };
    }
    return best;
  }

  const MARGIN = 1e-7; // as cemetery_routing.routing._FRACTION_MARGIN
  const clampF = (f) => Math.min(Math.max(f, MARGIN), 1 - MARGIN);

  // Dijkstra from the target over the usable edges, with the start and target points inserted
  // on their edges (undirected, cost = length), as pgr_withPoints does on the server.
  function shortest(pkg, starts, target, stepFree) {
    const adj = new Map();
    const link = (a, b, w, info) => {
      if (!adj.has(a)) adj.set(a, []);
      if (!adj.has(b)) adj.set(b, []);
      adj.get(a).push({ to: b, w, info });
      adj.get(b).push({ to: a, w, info });
    };
    const points = [{ key: "T", snap: target }, ...starts.map((s, i) => ({ key: `S${i}`, snap: s.snap }))];
    const onEdge = new Map();
    for (const p of points) {
      const id = p.snap.edge.id;
      if (!onEdge.has(id)) onEdge.set(id, []);
      onEdge.get(id).push({ key: p.key, f: clampF(p.snap.fraction) });
    }
    for (const e of graph(pkg).edges.values()) {
      if (stepFree && !e.stepFree) continue;
      const pts = (onEdge.get(e.id) || []).slice().sort((x, y) => x.f - y.f);
      const chain = [{ key: e.source, f: 0 }, ...pts, { key: e.target, f: 1 }];
      for (let i = 1; i < chain.length; i++) {
        link(chain[i - 1].key, chain[i].key, (chain[i].f - chain[i - 1].f) * e.length, { edge: e, fa: chain[i - 1].f, fb: chain[i].f, low: chain[i - 1].key });
      }
    }
    const distTo = new Map([["T", 0]]), prev = new Map(), done = new Set();
    const heap = [[0, "T"]];
    const push = (item) => { heap.push(item); let i = heap.length - 1; while (i > 0) { const p = (i - 1) >> 1; if (heap[p][0] <= heap[i][0]) break; [heap[p], heap[i]] = [heap[i], heap[p]]; i = p; } };
    const pop = () => { const top = heap[0], last = heap.pop(); if (heap.length) { heap[0] = last; let i = 0; for (;;) { const l = 2 * i + 1, r = l + 1; let m = i; if (l < heap.length && heap[l][0] < heap[m][0]) m = l; if (r < heap.length && heap[r][0] < heap[m][0]) m = r; if (m === i) break; [heap[m], heap[i]] = [heap[i], heap[m]]; i = m; } } return top; };
    while (heap.length) {
      const [d, u] = pop();
      if (done.has(u)) continue;
      done.add(u);
      for (const { to, w, info } of adj.get(u) || []) {
        const nd = d + w;
        if (nd < (distTo.has(to) ? distTo.get(to) : Infinity)) { distTo.set(to, nd); prev.set(to, { from: u, info }); push([nd, to]); }
      }
    }
    let best = null;
    starts.forEach((s, i) => {
      const d = distTo.get(`S${i}`);
      if (d !== undefined && (!best || d + s.snap.distance < best.cost)) best = { index: i, cost: d + s.snap.distance };
    });
    if (!best) return null;
    // Walk back from the start to the target: pieces in walking order.
    const pieces = [];
    let node = `S${best.index}`;
    while (node !== "T") {
      const step = prev.get(node);
      const { edge, fa, fb, low } = step.info;
      // The link runs from its low fraction to its high one; the walk goes from `node` on.
      pieces.push({ edge, coords: node === low ? piece(edge, fa, fb) : piece(edge, fb, fa) });
      node = step.from;
    }
    return { start: starts[best.index], pieces };
  }
  // --- Polish directions, as cemetery_routing.directions ---
  const NOUNS = { "aleja": ["aleję", "aleją"], "alejka": ["alejkę", "alejką"], "ścieżka": ["ścieżkę", "ścieżką"], "droga": ["drogę", "drogą"], "dróżka": ["dróżkę", "dróżką"], "schody": ["schody", "schodami"] };
  const UNNAMED = { main: "aleja", path: "ścieżka", stairs: "schody" };
  const ADJ = ["owa", "ewa", "na", "ska", "cka", "dzka", "ta", "cha", "ra", "ła", "wa", "ia", "ża"];
  function decline(name, kase) {
    const words = name.split(/\s+/).filter(Boolean);
    if (!words.length || !(words[0].toLowerCase() in NOUNS)) return name;
    const out = [NOUNS[words[0].toLowerCase()][kase]];
    for (const w of words.slice(1)) out.push(ADJ.some((e) => w.toLowerCase().endsWith(e)) && w.endsWith("a") ? w.slice(0, -1) + "ą" : w);
    return out.join(" ");
  }
  const accusative = (name, kind, override) => override || decline(name || UNNAMED[kind] || "ścieżka", 0);
  const instrumental = (name, kind) => decline(name || UNNAMED[kind] || "ścieżka", 1);
  const bearing = (a, b) => Math.atan2(b[0] - a[0], b[1] - a[1]) * 180 / Math.PI;
  function pointBack(coords, span) {
    let left = span;
    for (let i = coords.length - 1; i > 0; i--) {
      const d = dist(coords[i], coords[i - 1]);
      if (d >= left) { const t = left / d; return [coords[i][0] + (coords[i - 1][0] - coords[i][0]) * t, coords[i][1] + (coords[i - 1][1] - coords[i][1]) * t]; }
      left -= d;
    }
    return coords[0];
  }
  function turnAngle(incoming, outgoing) {
    const a = bearing(pointBack(incoming, 4), incoming[incoming.length - 1]);
    const b = bearing(outgoing[0], pointBack(outgoing.slice().reverse(), 4));
    return ((b - a + 540) % 360) - 180;
  }
  function turnWords(angle) {
    const side = angle > 0 ? "w prawo" : "w lewo", code = angle > 0 ? "right" : "left", m = Math.abs(angle);
    if (m < 25) return ["straight", "Idź prosto"];
    if (m < 60) return [`slight_${code}`, `Skręć lekko ${side}`];
    if (m < 150) return [code, `Skręć ${side}`];
    return ["u_turn", "Zawróć"];
  }
  const metres = (v) => (v >= 0.5 ? `${Math.max(1, Math.round(v))} m` : "kilka kroków");

  function directions(legs, { startText, access, finalCoords, finalM, graveLabel }) {
    const out = [];
    if (access > 0) out.push({ maneuver: "depart", instruction: `${startText} dojdź do najbliższej alejki`, distance_m: access, alley: null, at: legs.length ? legs[0].pts[0] : finalCoords[0] });
    legs.forEach((leg, i) => {
      let maneuver, instruction;
      if (i === 0) { maneuver = "depart"; instruction = `${out.length ? "Następnie" : startText} idź ${instrumental(leg.name, leg.kind)}`; }
      else {
        let verb;
        [maneuver, verb] = turnWords(turnAngle(legs[i - 1].xy, leg.xy));
        const target = accusative(leg.name, leg.kind, leg.acc);
        instruction = maneuver === "straight" && !leg.name ? `${verb} ${instrumental(leg.name, leg.kind)}` : `${verb} w ${target}`;
      }
      out.push({ maneuver, instruction, distance_m: leg.length, alley: leg.name || null, at: leg.pts[0] });
    });
    if (legs.length && finalM >= 0.5) {
      const [maneuver] = turnWords(turnAngle(legs[legs.length - 1].xy, finalCoords.map((p) => p.xy)));
      const instruction = maneuver === "straight" || maneuver === "u_turn"
        ? `Dojdź do grobu (${graveLabel})`
        : `Grób (${graveLabel}) jest ${maneuver.includes("right") ? "po prawej" : "po lewej"} stronie: zejdź z alejki`;
      out.push({ maneuver: "arrive", instruction, distance_m: finalM, alley: null, at: finalCoords[0] });
    } else {
      out.push({ maneuver: "arrive", instruction: `Grób (${graveLabel}) jest tuż przy alejce`, distance_m: finalM, alley: null, at: finalCoords[finalCoords.length - 1] });
    }
    for (const s of out) s.text = `${s.instruction}, ${metres(s.distance_m)}`;
    return out;
  }

  function error(status, detail) { return { status, body: { detail } }; }

  // The walk to a grave, as /api/cemetery/graves/<id>/route/ answers: from the nearest (or a
  // chosen) gate, or from the walker's position {lon, lat} inside the cemetery.
  function route(packages, graveId, { gate = "", stepFree = false, from = null } = {}) {
    const found = findGrave(packages, graveId);
    if (!found) return error(404, `Nie ma grobu o numerze ${graveId} w pobranych cmentarzach.`);
    const { pkg, g } = found;
    const c = pkg.cemetery;
    const target = snap(pkg, g, [g.x, g.y], stepFree);
    if (!target) return error(409, `Cmentarz „${c.name}” nie ma jeszcze sieci alejek.`);
    let starts = [];
    let fromXY = null;
    if (from) {
      fromXY = toPl1992(from.lon, from.lat);
      if (!inOutline(pkg, fromXY)) {
        return error(400, `Punkt początkowy leży poza cmentarzem „${c.name}”. Trasę od własnego położenia wyznaczamy tylko na terenie cmentarza; poza nim wybierz bramę.`);
      }
      starts = [{ gate: null, xy: fromXY, ll: [from.lon, from.lat], snap: snap(pkg, null, fromXY, stepFree) }];
    } else {
      let gates = pkg.gates;
      if (gate) {
        gates = gates.filter((x) => String(x.id) === String(gate) || x.name.toLowerCase() === String(gate).toLowerCase());
        if (!gates.length) return error(400, `Ten cmentarz nie ma bramy „${gate}”.`);
      }
      if (stepFree) gates = gates.filter((x) => x.step_free);
      if (!gates.length) return error(409, stepFree ? "Ta brama ma schody; wybierz inną albo najbliższą bramę bez schodów." : `Cmentarz „${c.name}” nie ma w systemie żadnej bramy.`);
      starts = gates.map((x) => ({ gate: x, xy: [x.x, x.y], ll: [x.lon, x.lat], snap: snap(pkg, x, [x.x, x.y], stepFree) }));
    }
    starts = starts.filter((s) => s.snap && s.snap.edge.component === target.edge.component);
    const path = starts.length ? shortest(pkg, starts, target, stepFree) : null;
    if (!path) return error(409, from ? "Grób i Twoje położenie leżą przy alejkach, które nie łączą się ze sobą. Wybierz trasę od bramy albo zapytaj obsługę cmentarza." : `Grób (${g.label}) leży przy alejkach niepołączonych z żadną bramą cmentarza. Nie da się wyznaczyć trasy – zapytaj obsługę cmentarza.`);
    const start = path.start;
    const onNet = pointAt(target.edge, target.fraction);
    // Legs: the pieces grouped by alley (merge_legs), pieces of no length dropped.
    let legs = [];
    for (const p of path.pieces) {
      const xy = p.coords.map((q) => q.xy);
      let length = 0;
      for (let i = 1; i < xy.length; i++) length += dist(xy[i - 1], xy[i]);
      if (length <= 1e-6) continue;
      const [name, kind, acc] = pkg.alleys[p.edge.alleyId] || ["", "path", ""];
      const leg = { alleyId: p.edge.alleyId, name, kind, acc, pts: p.coords, xy, length };
      const prev = legs[legs.length - 1];
      if (prev && (prev.alleyId === leg.alleyId || (prev.name === leg.name && prev.kind === leg.kind && Math.abs(turnAngle(prev.xy, leg.xy)) < 25))) {
        prev.pts = prev.pts.concat(leg.pts.slice(1)); prev.xy = prev.xy.concat(leg.xy.slice(1)); prev.length += leg.length;
      } else legs.push(leg);
    }
    let access = start.snap.distance;
    if (access < 0.5 && legs.length) { legs[0].length += access; access = 0; }
    const graveP = { xy: [g.x, g.y], ll: [g.lon, g.lat] };
    const steps = directions(legs, {
      startText: start.gate ? `Od bramy „${start.gate.name}”` : "Od miejsca, w którym stoisz,",
      access, finalCoords: [onNet, graveP], finalM: target.distance, graveLabel: g.label,
    });
    const line = [{ xy: start.xy, ll: start.ll }];
    for (const q of [...path.pieces.flatMap((p) => p.coords), onNet, graveP]) {
      if (dist(q.xy, line[line.length - 1].xy) > 1e-6) line.push(q);
    }
    if (line.length === 1) line.push(graveP);
    const length = steps.reduce((s, x) => s + x.distance_m, 0);
    const r7 = (v) => Math.round(v * 1e7) / 1e7;
    return {
      status: 200,
      body: {
        type: "Feature",
        geometry: { type: "LineString", coordinates: line.map((q) => [r7(q.ll[0]), r7(q.ll[1])]) },
        properties: {
          grave: { id: g.id, label: g.label, cemetery: c.name },
          gate: start.gate ? { id: start.gate.id, name: start.gate.name } : null,
          from: start.gate ? null : [r7(start.ll[0]), r7(start.ll[1])],
          length_m: Math.round(length * 10) / 10,
          walking_time_s: Math.round(length / WALKING_SPEED_M_S),
          step_free: !!stepFree,
          offline: true,
          steps: steps.map((s) => ({
            maneuver: s.maneuver, instruction: s.instruction, text: s.text,
            distance_m: Math.round(s.distance_m * 10) / 10, alley: s.alley,
            location: [r7(s.at.ll[0]), r7(s.at.ll[1])],
          })),
        },
      },
    };
  }

  root.SipOffline = { fold, parseQuery, searchBurials, findGrave, graveFeature, route, toPl1992 };
})(self);
