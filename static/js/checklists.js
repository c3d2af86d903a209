// Content swapped in by htmx (the answer form after a save) gets the same GOV.UK Frontend behaviour as a full page:
// conditional radios, error summary focus, notification banner focus.
import { initAll } from "../govuk/govuk-frontend.min.js";

document.addEventListener("htmx:load", (event) => {
  const element = event.detail && event.detail.elt;
  if (element && element !== document.body && element.nodeType === Node.ELEMENT_NODE) {
    initAll({ scope: element });
  }
});
