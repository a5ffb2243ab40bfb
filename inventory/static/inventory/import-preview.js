"use strict";
// Moved out of inventory/import_preview.html: the Content-Security-Policy allows no inline scripts.
const form = document.getElementById("import-form");
if (form) form.addEventListener("submit", () => { document.getElementById("progress").hidden = false; });
