// The grave card without network: the worker answers /cmentarze/grob/<id>/ with this page when
// the card was not stored; it reads the grave and the cemetery map from the downloaded package
// (through the worker's offline answers of the same API), writes them where grave.html has them
// and runs the card's own script (cemetery_routing/grave.js) for the map and the route.

// The public URLs of this site (#sip-urls, rendered by the server: prefixed behind a proxy).
const urls = JSON.parse(document.getElementById("sip-urls").textContent);
const card = document.getElementById("offline-card");
const m = /\/cmentarze\/grob\/(\d+)\/$/.exec(location.pathname);
const date = (iso) => iso ? new Intl.DateTimeFormat("pl-PL", { day: "numeric", month: "long", year: "numeric" }).format(new Date(iso)) : "";

function jsonScript(id, value) {
  const s = document.createElement("script");
  s.type = "application/json";
  s.id = id;
  s.textContent = JSON.stringify(value);
  document.body.append(s);
}

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement("script");
    s.src = src;
    s.onload = resolve;
    s.onerror = reject;
    document.body.append(s);
  });
}

async function show() {
  const title = card.querySelector("h1");
  if (!m) { title.textContent = "Karta grobu"; return; }
  const resp = await fetch(`${urls.api.cemetery}graves/${m[1]}/`);
  if (!resp.ok) {
    title.textContent = "Tego grobu nie ma w pobranych cmentarzach";
    card.querySelector(".where").textContent = "Bez połączenia z internetem widać tylko groby cmentarzy pobranych na telefon.";
    return;
  }
  const grave = await resp.json();
  const p = grave.properties;
  document.title = `Grób ${p.label} – ${p.cemetery.name} – SIP`;
  title.textContent = p.burials.length ? p.burials.map((b) => `${b.first_name} ${b.surname}`).join(", ") : `Grób ${p.label}`;
  const where = card.querySelector(".where");
  const link = document.createElement("a");
  link.href = `${urls.pages.cemeteries}${p.cemetery.slug}/`;
  link.textContent = p.cemetery.name;
  where.append(link, document.createElement("br"), `${p.label[0].toUpperCase()}${p.label.slice(1)} · ${p.kind}`);
  const list = card.querySelector(".burials");
  for (const b of p.burials) {
    const li = document.createElement("li");
    const name = document.createElement("div");
    name.className = "name";
    name.textContent = b.full_name;
    const dates = document.createElement("div");
    dates.className = "dates";
    dates.textContent = [b.birth_date && `ur. ${date(b.birth_date)}`, b.death_date && `zm. ${date(b.death_date)}`,
      b.burial_date && `pochowan${b.first_name.endsWith("a") ? "a" : "y"} ${date(b.burial_date)}`].filter(Boolean).join(" · ");
    li.append(name, dates);
    if (b.record) { const r = document.createElement("p"); r.className = "record"; r.textContent = b.record; li.append(r); }
    list.append(li);
  }
  const mapResp = await fetch(`${urls.api.cemetery}cemeteries/${p.cemetery.slug}/map/`);
  const mapData = await mapResp.json();
  const gates = document.getElementById("gate");
  for (const g of mapData.gates.features) {
    const o = document.createElement("option");
    o.value = g.properties.id;
    o.textContent = g.properties.name;
    gates.append(o);
  }
  const [lon, lat] = grave.geometry.coordinates;
  document.getElementById("navigate").href = `geo:${lat.toFixed(7)},${lon.toFixed(7)}?q=${lat.toFixed(7)},${lon.toFixed(7)}`;
  jsonScript("cemetery-map", mapData);
  jsonScript("grave-feature", grave);
  jsonScript("grave-label", p.label);
  const base = document.getElementById("offline-card-scripts").dataset;
  await loadScript(base.map);
  await loadScript(base.grave);
}
show();
