// The survey page: reads the answers from the form, map answers from the drawing tool, and
// sends them as JSON to /api/participation/consultations/<id>/responses/.
"use strict";

(function () {
  const config = JSON.parse(document.getElementById("survey-config").textContent);
  const form = document.getElementById("survey");
  if (!form) return;
  const geometries = {};

  document.querySelectorAll("[data-map-question]").forEach((box) => {
    const qid = box.dataset.mapQuestion;
    const map = SipConsult.baseMap(box.querySelector(".qmap"), config.area);
    SipConsult.drawTool(map, box.dataset.geometry, (g) => { geometries[qid] = g; }, {
      status: box.querySelector(".draw-status"),
      clear: box.querySelector(".draw-clear"),
      undo: box.querySelector(".draw-undo"),
      mode: box.querySelector(".draw-mode"),
    });
  });

  document.querySelectorAll(".ranking").forEach((list) => {
    list.addEventListener("click", (e) => {
      const button = e.target.closest("button");
      if (!button) return;
      const item = button.closest("li");
      if (button.classList.contains("up") && item.previousElementSibling) list.insertBefore(item, item.previousElementSibling);
      if (button.classList.contains("down") && item.nextElementSibling) list.insertBefore(item.nextElementSibling, item);
      button.focus();
    });
  });

  const codeButton = document.getElementById("send-code");
  if (codeButton) {
    codeButton.addEventListener("click", async () => {
      const out = document.getElementById("code-status");
      const resp = await fetch(config.api + "codes/", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": SipConsult.csrfToken() },
        body: JSON.stringify({ email: form.elements.email.value }),
      });
      const body = await resp.json().catch(() => ({}));
      out.textContent = body.detail || (resp.ok ? "Wysłano kod." : "Nie udało się wysłać kodu.");
    });
  }

  function answers() {
    const out = [];
    form.querySelectorAll("[data-question]").forEach((box) => {
      const qid = Number(box.dataset.question);
      const kind = box.dataset.kind;
      if (kind === "single" || kind === "multiple") {
        const choices = [...box.querySelectorAll("input:checked")].map((i) => Number(i.value));
        if (choices.length) out.push({ question: qid, choices });
      } else if (kind === "scale") {
        const picked = box.querySelector("input:checked");
        if (picked) out.push({ question: qid, value: Number(picked.value) });
      } else if (kind === "ranking") {
        out.push({ question: qid, choices: [...box.querySelectorAll("li")].map((li) => Number(li.dataset.option)) });
      } else if (kind === "text") {
        const text = box.querySelector("textarea").value.trim();
        if (text) out.push({ question: qid, text });
      } else if (kind === "map") {
        const g = geometries[box.dataset.mapQuestion];
        const text = box.querySelector("textarea").value.trim();
        if (g) out.push({ question: qid, geometry: g, text });
      }
    });
    return out;
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const status = document.getElementById("submit-status");
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    status.textContent = "Wysyłanie…";
    status.className = "";
    const body = { answers: answers() };
    if (config.verified) {
      body.email = form.elements.email.value;
      body.code = form.elements.code.value;
    }
    try {
      const resp = await fetch(config.api + "responses/", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": SipConsult.csrfToken() },
        body: JSON.stringify(body),
      });
      const data = await resp.json().catch(() => ({}));
      if (resp.ok) {
        form.hidden = true;
        const done = document.getElementById("done");
        done.hidden = false;
        done.focus();
      } else {
        const detail = typeof data.detail === "string" ? data.detail : JSON.stringify(data.detail);
        status.textContent = detail || "Nie udało się wysłać odpowiedzi.";
        status.className = "error";
        button.disabled = false;
      }
    } catch (err) {
      status.textContent = "Brak połączenia; spróbuj ponownie.";
      status.className = "error";
      button.disabled = false;
    }
  });
})();
