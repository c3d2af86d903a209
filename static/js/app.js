// GOV.UK Frontend components; everything works without JavaScript too.
import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();
