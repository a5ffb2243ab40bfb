"use strict";
// Forms with data-confirm ask before they are sent (no inline onsubmit: the
// Content-Security-Policy allows no inline scripts).
for (const form of document.querySelectorAll("form[data-confirm]")) {
  form.addEventListener("submit", (ev) => {
    if (!window.confirm(form.dataset.confirm)) ev.preventDefault();
  });
}
