// The outbox of incident reports written without network: each report waits in IndexedDB with
// its photos (Blobs) and its client_request_id until the server has acknowledged it. It is sent
// when the network comes back (the "online" event), when the app starts next time (Safari has no
// Background Sync, so nothing relies on it) and on "Wyślij teraz". The server takes the
// client_request_id as an idempotency key: a retry after a lost answer never makes a duplicate.
//
// createOutbox({send}) takes the one function that sends a report — incidents' submitReport
// (payload, photos), which answers the server's JSON or throws: a refusal with `status` (HTTP)
// or the fetch's TypeError when there is no network.

const DB_NAME = "sip-outbox";
const STORE = "reports";

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function openDb() {
  const req = indexedDB.open(DB_NAME, 1);
  req.onupgradeneeded = () => {
    const store = req.result.createObjectStore(STORE, { keyPath: "client_request_id" });
    store.createIndex("created_at", "created_at");
  };
  return request(req);
}

async function withStore(mode, fn) {
  const db = await openDb();
  try {
    const tx = db.transaction(STORE, mode);
    const result = await fn(tx.objectStore(STORE));
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
    return result;
  } finally {
    db.close();
  }
}

export function newClientRequestId() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// A refusal that sending again cannot change (bad data): the report is kept, marked, for the
// resident to see and remove. Timeouts, throttling and server errors are retried.
function final(err) {
  return typeof err?.status === "number" && err.status >= 400 && err.status < 500 && ![408, 425, 429].includes(err.status);
}

export function createOutbox({ send }) {
  const target = new EventTarget();
  let flushing = null;

  async function list() {
    return withStore("readonly", (s) => request(s.index("created_at").getAll()));
  }

  async function changed() {
    const items = await list();
    target.dispatchEvent(new CustomEvent("change", { detail: { items, pending: items.filter((r) => !r.rejected).length } }));
    return items;
  }

  /** Keep a report: the payload (plain fields) and the photos (File/Blob), with its client id. */
  async function add(payload, photos = []) {
    const record = {
      client_request_id: payload.client_request_id || newClientRequestId(),
      payload: { ...payload },
      // Blobs go into IndexedDB as they are (structured clone), with their names and types.
      photos: photos.map((p, i) => ({ name: p.name || `zdjecie-${i + 1}.jpg`, type: p.type, blob: p })),
      created_at: new Date().toISOString(),
      attempts: 0,
      last_error: "",
      rejected: false,
    };
    record.payload.client_request_id = record.client_request_id;
    await withStore("readwrite", (s) => request(s.put(record)));
    await changed();
    return record;
  }

  async function remove(id) {
    await withStore("readwrite", (s) => request(s.delete(id)));
    await changed();
  }

  async function update(record) {
    await withStore("readwrite", (s) => request(s.put(record)));
  }

  async function sendAll() {
    const sent = [];
    for (const record of await list()) {
      if (record.rejected) continue;
      const photos = record.photos.map((p) => new File([p.blob], p.name, { type: p.type }));
      record.attempts += 1;
      try {
        const answer = await send({ ...record.payload }, photos);
        // Acknowledged: only now does the report leave the outbox.
        await withStore("readwrite", (s) => request(s.delete(record.client_request_id)));
        sent.push({ record, answer });
        target.dispatchEvent(new CustomEvent("sent", { detail: { record, answer } }));
      } catch (err) {
        record.last_error = err?.message || String(err);
        if (final(err)) {
          record.rejected = true;
          await update(record);
          continue;
        }
        await update(record);
        break; // no network or a server error: the rest waits for the next chance too
      }
    }
    await changed();
    return sent;
  }

  /** Send every waiting report, one flush at a time (in this tab and, where the browser has
   *  Web Locks, across tabs). */
  function flush() {
    if (!flushing) {
      const run = navigator.locks ? () => navigator.locks.request("sip-outbox", sendAll) : sendAll;
      flushing = run().finally(() => { flushing = null; });
    }
    return flushing;
  }

  /** Send the report now, or keep it in the outbox when that fails for want of network or
   *  through a server error; a refusal of the data is thrown to the form. */
  async function submit(payload, photos = []) {
    if (!payload.client_request_id) payload.client_request_id = newClientRequestId();
    if (navigator.onLine !== false) {
      try {
        return { sent: true, answer: await send(payload, photos) };
      } catch (err) {
        if (final(err)) throw err;
      }
    }
    return { sent: false, record: await add(payload, photos) };
  }

  function start() {
    addEventListener("online", () => flush());
    // The next start of the app sends what waited (no Background Sync in Safari).
    if (navigator.onLine !== false) flush(); else changed();
  }

  return { add, list, remove, flush, submit, start, events: target };
}

/** "Oczekujące (n)" with "Wyślij teraz" in `box`, kept up to date. */
export function mountOutbox(box, outbox) {
  box.classList.add("outbox");
  box.setAttribute("aria-live", "polite");
  const title = document.createElement("p");
  title.className = "outbox-count";
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = "Wyślij teraz";
  const note = document.createElement("p");
  note.className = "outbox-note";
  button.addEventListener("click", async () => {
    button.disabled = true;
    note.textContent = "Wysyłanie…";
    const sent = await outbox.flush();
    button.disabled = false;
    const left = (await outbox.list()).filter((r) => !r.rejected);
    note.textContent = left.length
      ? `Nie udało się wysłać (${left[0].last_error || "brak połączenia"}). Zgłoszenie czeka; wyślemy je, gdy wróci sieć.`
      : sent.length ? "Wysłano wszystkie oczekujące zgłoszenia." : "";
  });
  const rejected = document.createElement("ul");
  box.append(title, button, note, rejected);
  outbox.events.addEventListener("change", (ev) => {
    const { items, pending } = ev.detail;
    box.hidden = items.length === 0;
    title.textContent = `Oczekujące (${pending})`;
    button.hidden = pending === 0;
    rejected.textContent = "";
    for (const r of items.filter((x) => x.rejected)) {
      const li = document.createElement("li");
      li.textContent = `Zgłoszenie odrzucone przez serwer: ${r.last_error}. `;
      const del = document.createElement("button");
      del.type = "button";
      del.textContent = "Usuń";
      del.addEventListener("click", () => outbox.remove(r.client_request_id));
      li.append(del);
      rejected.append(li);
    }
  });
  outbox.events.addEventListener("sent", () => { note.textContent = "Zgłoszenie wysłane."; });
}
