// @ts-check
// The first-run page: finds the local server (the stored address, then the default port, then
// one the user gives), sends the user to its page to pair (the confirmation with the
// fingerprint stays the only way to store a token), and checks a sample post once paired.
import { currentPairing, send } from "../pair/pairing.js";

const C = globalThis.Carelint;
// The page speaks the browser's language (shared/strings.js); the sample post too.
const LANG = C.uiLanguage();
/** @param {string} key @param {Record<string, string | number>} [vars] */
const t = (key, vars) => C.t(LANG, key, vars);
C.localise(document, LANG);
document.title = t("welcome.pageTitle");
/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const POLL_MS = 2000;
/** @type {string | null} */
let found = null;

/** @param {string} el @param {string} state @param {string} text */
function show(el, state, text) {
  $(el).dataset.state = state;
  $(el).textContent = text;
}

async function candidates() {
  const { serverUrl } = await chrome.storage.local.get("serverUrl");
  const typed = /** @type {HTMLInputElement} */ ($("server-url")).value.trim();
  return [...new Set([typed, serverUrl, C.DEFAULT_SERVER_URL].filter(Boolean).map(C.normalizeServerUrl))];
}

async function lookForServer() {
  for (const url of await candidates()) {
    const r = await send({ type: C.MSG.PROBE, url });
    if (r && r.found) {
      found = r.url;
      show("server-state", "found", t("welcome.found", { url: r.url, version: r.version || "" }).replace(" )", ")"));
      $("server-missing").hidden = true;
      /** @type {HTMLButtonElement} */ ($("open-server")).disabled = false;
      return true;
    }
  }
  found = null;
  show("server-state", "missing", t("welcome.missing"));
  $("server-missing").hidden = false;
  /** @type {HTMLButtonElement} */ ($("open-server")).disabled = true;
  return false;
}

async function showPairing() {
  const current = await currentPairing();
  if (current) {
    show("pair-state", "paired", t("welcome.paired", { server: current.serverUrl, fingerprint: current.fingerprint }));
    $("pair-help").hidden = true;
    $("open-server").hidden = true; // paired: nothing to do on the server's page
    /** @type {HTMLButtonElement} */ ($("demo-check")).disabled = false;
    $("demo-state").textContent = t("welcome.ready");
  } else {
    show("pair-state", "unpaired", t("welcome.notPaired"));
    $("pair-help").hidden = false;
    $("open-server").hidden = false;
  }
  return !!current;
}

/** The sites whose composers Carelint checks (the content scripts' matches, not the server's). */
function siteOrigins() {
  const scripts = chrome.runtime.getManifest().content_scripts || [];
  return [...new Set(scripts.flatMap((s) => s.matches || []))].filter((m) => !C.isLoopbackUrl(m.replace(/\*$/, "")));
}

// Firefox grants them at install but lets the user take them back (Chrome keeps them): then
// this section asks again, from the click itself (a permission request needs the user's gesture).
async function showSites() {
  const granted = await chrome.permissions.contains({ origins: siteOrigins() });
  $("step-sites").hidden = granted;
  return granted;
}

async function checkSample() {
  const text = /** @type {HTMLTextAreaElement} */ ($("demo-text")).value;
  $("demo-state").textContent = t("welcome.checking");
  const r = await send({ type: C.MSG.CHECK, text, platform: "instagram", context: "post" });
  const list = $("demo-findings");
  list.replaceChildren();
  if (!r || r.offline) {
    $("demo-state").textContent = t("welcome.noAnswer");
    return;
  }
  const findings = r.result.findings || [];
  $("demo-state").textContent = findings.length === 1 ? t("welcome.findingsOne") : t("welcome.findings", { count: findings.length });
  for (const f of findings) {
    const li = document.createElement("li");
    li.dataset.severity = f.severity;
    const q = document.createElement("q");
    q.textContent = f.text;
    li.append(`${C.t(f.lang, `severity.${f.severity}`)}: `, q, ` ${f.message}`);
    list.append(li);
  }
}

$("look-again").addEventListener("click", () => lookForServer());
$("open-server").addEventListener("click", () => {
  if (found) chrome.tabs.create({ url: found + "/" });
});
$("demo-check").addEventListener("click", () => checkSample());
$("allow-sites").addEventListener("click", () => {
  chrome.permissions
    .request({ origins: siteOrigins() })
    .then((ok) => {
      if (!ok) show("sites-state", "missing", t("welcome.notAllowed"));
      return showSites();
    })
    .catch((e) => show("sites-state", "missing", t("welcome.couldNotAsk", { error: e && e.message ? e.message : String(e) })));
});
chrome.permissions.onAdded.addListener(() => showSites());
chrome.permissions.onRemoved.addListener(() => showSites());
// Pairing finishes in another tab: follow it here.
chrome.storage.onChanged.addListener((changes, area) => {
  if (area === "local" && ("token" in changes || "serverUrl" in changes)) showPairing();
});

showSites();

async function poll() {
  const ok = await lookForServer();
  await showPairing();
  if (!ok) setTimeout(poll, POLL_MS);
}
poll();
