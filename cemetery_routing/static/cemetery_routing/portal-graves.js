// Geoportal: a grave chosen in the search box gets a link to its card (record, photos, route).
document.addEventListener("sip:result", (ev) => {
  const panel = document.getElementById("extra-panels");
  const old = document.getElementById("grave-card-link");
  if (old) old.remove();
  if (!panel || ev.detail.kind !== "grave" || !ev.detail.url) return;
  const p = document.createElement("p");
  p.id = "grave-card-link";
  const a = document.createElement("a");
  a.href = ev.detail.url;
  a.textContent = `Karta grobu i trasa: ${ev.detail.label}`;
  p.append(a);
  panel.prepend(p);
});
