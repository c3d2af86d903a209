// When an htmx save fails, nothing is swapped (htmx leaves 4xx and 5xx answers alone), so what the person typed is
// still in the form: say so in a notification banner at the top of the main content, and what to do next.
//
// 401 comes from HtmxSignedOutMiddleware (phb_readiness/accounts/middleware.py) when the session has ended. Signing
// in again (in a new tab) changes the CSRF token, so before the next save the page fetches a fresh one; otherwise that
// save would be refused too. Text from the server is never put into the page as HTML.

const BANNER_ID = "app-save-problem";
const SIGN_IN_FALLBACK = "/accounts/login/";

const MESSAGES = {
  signedOut:
    "You have been signed out. Your changes have not been saved: copy them, sign in again in a new tab, then save.",
  forbidden:
    "You can no longer change this item. Your changes have not been saved: copy them before you leave this page. " +
    "If you have just signed in again in another tab, save again.",
  failed: "The save did not reach the server. Your text is still in the form; try again.",
};

let tokenStale = false;

// Only saves: a failed GET (the report page polling its status) has nothing typed to keep.
function isSave(detail) {
  const verb = detail && (detail.verb || (detail.requestConfig && detail.requestConfig.verb));
  return typeof verb === "string" && verb.toLowerCase() !== "get";
}

function sameOriginUrl(value) {
  try {
    const url = new URL(value, window.location.href);
    return url.origin === window.location.origin ? url.pathname + url.search : SIGN_IN_FALLBACK;
  } catch {
    return SIGN_IN_FALLBACK;
  }
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

function showBanner(message, signInUrl) {
  const main = document.getElementById("main-content");
  if (!main) return;
  const old = document.getElementById(BANNER_ID);
  if (old) old.remove();

  const banner = element("div", "govuk-notification-banner");
  banner.id = BANNER_ID;
  banner.setAttribute("role", "alert");
  banner.setAttribute("aria-labelledby", `${BANNER_ID}-title`);
  banner.tabIndex = -1;

  const header = element("div", "govuk-notification-banner__header");
  const title = element("h2", "govuk-notification-banner__title", "Important");
  title.id = `${BANNER_ID}-title`;
  header.append(title);

  const content = element("div", "govuk-notification-banner__content");
  content.append(element("p", "govuk-notification-banner__heading", message));
  if (signInUrl) {
    const paragraph = element("p", "govuk-body");
    const link = element("a", "govuk-notification-banner__link", "Sign in again (opens in a new tab)");
    link.href = signInUrl;
    link.target = "_blank";
    link.rel = "noopener";
    paragraph.append(link);
    content.append(paragraph);
  }
  banner.append(header, content);
  main.prepend(banner);

  // As GOV.UK Frontend does for a banner with role="alert": move focus there once, then drop the tabindex.
  banner.addEventListener("blur", () => banner.removeAttribute("tabindex"), { once: true });
  banner.focus();
}

function clearBanner() {
  const old = document.getElementById(BANNER_ID);
  if (old) old.remove();
}

function problemFor(status) {
  if (status === 401) return "signedOut";
  if (status === 403 || status === 404) return "forbidden";
  return "failed";
}

function report(problem, xhr) {
  if (problem !== "failed") tokenStale = true; // a 403 may be a CSRF refusal after signing in elsewhere
  if (problem === "signedOut") {
    showBanner(MESSAGES.signedOut, sameOriginUrl(xhr && xhr.getResponseHeader("X-Sign-In-URL")));
  } else {
    showBanner(MESSAGES[problem]);
  }
}

// After signing in again, the page's CSRF token (in each form and in the body's hx-headers) belongs to the old
// session: fetch this page again and take the new one. If still signed out, the save is tried anyway and answers 401.
async function refreshToken() {
  try {
    const response = await fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } });
    if (!response.ok || new URL(response.url).pathname !== window.location.pathname) return;
    const fetched = new DOMParser().parseFromString(await response.text(), "text/html");
    const input = fetched.querySelector("input[name='csrfmiddlewaretoken']");
    if (!input || !input.value) return;
    for (const field of document.querySelectorAll("input[name='csrfmiddlewaretoken']")) field.value = input.value;
    const headers = document.body.getAttribute("hx-headers");
    if (headers) {
      const parsed = JSON.parse(headers);
      parsed["X-CSRFToken"] = input.value;
      document.body.setAttribute("hx-headers", JSON.stringify(parsed));
    }
    tokenStale = false;
  } catch {
    // Offline or unreadable: the save goes ahead and its own failure is reported.
  }
}

document.addEventListener("htmx:confirm", (event) => {
  if (!tokenStale || !isSave(event.detail)) return;
  event.preventDefault();
  refreshToken().then(() => event.detail.issueRequest(true));
});

document.addEventListener("htmx:responseError", (event) => {
  if (!isSave(event.detail)) return;
  report(problemFor(event.detail.xhr.status), event.detail.xhr);
});

for (const name of ["htmx:sendError", "htmx:timeout"]) {
  document.addEventListener(name, (event) => {
    if (isSave(event.detail)) report("failed");
  });
}

document.addEventListener("htmx:afterRequest", (event) => {
  if (isSave(event.detail) && event.detail.successful) clearBanner();
});
