// GOV.UK Frontend components; everything works without JavaScript too.
import { initAll } from "../govuk/govuk-frontend.min.js";
// A failed htmx save (signed out, refused, server unreachable) keeps the typed text and says what to do.
import "./htmx-errors.js";

// Set here rather than by an inline <script> (the Content Security Policy allows none).
document.body.classList.add("govuk-frontend-supported");
initAll();
