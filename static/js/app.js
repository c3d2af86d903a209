// GOV.UK Frontend components; everything works without JavaScript too.
import { initAll } from "../govuk/govuk-frontend.min.js";

// Set here rather than by an inline <script> (the Content Security Policy allows none).
document.body.classList.add("govuk-frontend-supported");
initAll();
