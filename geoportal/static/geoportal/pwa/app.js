// The resident app on every public page: registers the service worker (scope: the site), says when
// the phone is offline, offers installation (Chromium's prompt; on iOS the "Udostępnij → Do
// ekranu początkowego" hint) and mounts "Pobierz cmentarz na telefon" where a page asks for it.

const status = document.getElementById("app-status");

function showConnection() {
  if (!status) return;
  const offline = !navigator.onLine;
  status.hidden = !offline;
  status.textContent = offline
    ? "Jesteś offline (brak połączenia z internetem). Działają cmentarze pobrane na telefon: wyszukiwarka grobów, karta grobu i trasa."
    : "";
  document.documentElement.classList.toggle("is-offline", offline);
}
addEventListener("online", showConnection);
addEventListener("offline", showConnection);
showConnection();

// The worker's address and scope come from the page's configuration (#sip-urls): behind a proxy
// that mounts SIP under a path they carry it (/sip/sw.js, scope /sip/).
const siteUrls = JSON.parse(document.getElementById("sip-urls")?.textContent || "null") || {};
const workerUrl = siteUrls.pages?.service_worker || "/sw.js";
const workerScope = siteUrls.scope || "/";

export const ready = "serviceWorker" in navigator
  ? navigator.serviceWorker.register(workerUrl, { scope: workerScope }).catch((err) => {
      console.warn("SIP: service worker not registered", err);
      return null;
    })
  : Promise.resolve(null);

// --- installing ------------------------------------------------------------------------------
const standalone = matchMedia("(display-mode: standalone)").matches || navigator.standalone === true;
const install = document.getElementById("app-install");
function dismissible(text, key) {
  if (!install || localStorage.getItem(key)) return null;
  install.hidden = false;
  const p = document.createElement("p");
  p.textContent = text;
  const close = document.createElement("button");
  close.type = "button";
  close.textContent = "Zamknij";
  close.setAttribute("aria-label", "Zamknij podpowiedź o instalacji");
  close.addEventListener("click", () => { localStorage.setItem(key, "1"); install.hidden = true; install.textContent = ""; });
  install.append(p, close);
  return p;
}
const iOS = /iPhone|iPad|iPod/.test(navigator.userAgent) || (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
if (!standalone && iOS) {
  dismissible("Zainstaluj SIP na telefonie: w Safari stuknij Udostępnij → Do ekranu początkowego.", "sip-install-hint-ios");
}
addEventListener("beforeinstallprompt", (event) => {
  event.preventDefault();
  const p = dismissible("SIP działa też jako aplikacja na telefonie, także bez sieci na cmentarzu.", "sip-install-hint");
  if (!p) return;
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = "Zainstaluj aplikację";
  button.addEventListener("click", async () => {
    event.prompt();
    await event.userChoice;
    install.hidden = true;
  });
  p.after(button);
});

// --- pages that offer a cemetery for offline use, and the list of downloaded ones ------------
const cemeteryBox = document.getElementById("offline-cemetery");
if (cemeteryBox) import("./offline-cemetery.js").then((m) => m.mount(cemeteryBox, ready));
const downloadedList = document.getElementById("offline-downloaded");
if (downloadedList) import("./offline-cemetery.js").then((m) => m.listDownloaded(downloadedList));

// --- the outbox of incident reports: "Oczekujące (n)", sent on "online" and at every start ----
// incidents' form finds it as window.sipOutbox (incidents does not import the geoportal).
const outboxBox = document.getElementById("app-outbox");
if (outboxBox && "indexedDB" in window) {
  window.sipOutbox = Promise.all([import("./outbox.js"), import("../../incidents/report.js")]).then(
    ([{ createOutbox, mountOutbox }, { submitReport }]) => {
      const outbox = createOutbox({ send: submitReport });
      mountOutbox(outboxBox, outbox);
      outbox.start();
      return outbox;
    },
  );
}
