// @ts-check
// Popup: server status, the paired server and its fingerprint, findings on the current tab,
// per-site switch.
import { send, showCurrentPairing } from "../pair/pairing.js";

const C = globalThis.Carelint;
/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

// The popup speaks the browser's language (shared/strings.js).
const LANG = C.uiLanguage();
/** @param {string} key @param {Record<string, string | number>} [vars] */
const t = (key, vars) => C.t(LANG, key, vars);
C.localise(document, LANG);

/** @type {Partial<Record<Carelint.Status, string>>} */
const HELP = { offline: t("popup.helpOffline"), unauthorized: t("popup.helpUnauthorized"), error: t("popup.helpError") };

// When a known site's composer or Post button is not where Carelint looks (the site changed).
/** @type {Partial<Record<Carelint.TabInfo["composer"], string>>} */
const COMPOSER_HELP = { unseen: t("popup.composerUnseen"), "no-submit": t("popup.composerNoSubmit") };

async function showStatus() {
  /** @type {Carelint.Status} */
  let status = "offline";
  try {
    status = (await send({ type: C.MSG.STATUS })).status;
  } catch {
    status = "error";
  }
  const el = $("server-status");
  el.dataset.state = status;
  el.textContent = C.statusText(status);
  $("server-help").hidden = !HELP[status];
  C.fillText($("server-help"), HELP[status] || "");
}

/** @returns {Promise<number | undefined>} */
async function currentTab() {
  const forced = new URLSearchParams(location.search).get("tab"); // for tests and debugging
  if (forced) return Number(forced);
  const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
  return tab && tab.id;
}

async function showTab() {
  const tabId = await currentTab();
  /** @type {Carelint.TabInfo | null} */
  let info = null;
  try {
    if (tabId !== undefined) info = await chrome.tabs.sendMessage(tabId, { type: C.MSG.TAB_INFO });
  } catch {
    info = null; // no content script: not a supported site
  }
  $("tab-none").hidden = !!info;
  $("tab-info").hidden = !info;
  if (!info) return;
  const { site, count, high } = info;
  $("tab-count").textContent = String(count);
  $("tab-count-label").textContent = t(count === 1 ? "popup.findingsOne" : "popup.findings") + (high ? t("popup.findingsHigh", { high }) : "");
  $("tab-offline").hidden = !info.offline;
  const composer = COMPOSER_HELP[info.composer] || "";
  $("tab-composer").hidden = !composer;
  $("tab-composer").textContent = composer;
  $("tab-composer").dataset.state = info.composer;
  $("site-name").textContent = (C.SITES.find((s) => s.id === site) || { name: site }).name;
  const box = /** @type {HTMLInputElement} */ ($("site-enabled"));
  box.checked = info.enabled;
  box.onchange = async () => {
    const { disabledSites = [] } = /** @type {Partial<Carelint.Settings>} */ (await chrome.storage.local.get("disabledSites"));
    const next = new Set(disabledSites);
    if (box.checked) next.delete(site);
    else next.add(site);
    await chrome.storage.local.set({ disabledSites: [...next] });
  };
}

const HOUR_MS = 60 * 60 * 1000;

async function showPause() {
  const { pausedUntil = 0 } = /** @type {Partial<Carelint.Settings>} */ (await chrome.storage.local.get("pausedUntil"));
  const paused = pausedUntil > Date.now();
  $("pause").hidden = paused;
  $("resume").hidden = !paused;
  $("paused-note").hidden = !paused;
  $("paused-note").textContent = paused
    ? t("popup.pausedUntil", { time: new Date(pausedUntil).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) })
    : "";
}
$("pause").addEventListener("click", async () => {
  await chrome.storage.local.set({ pausedUntil: Date.now() + HOUR_MS });
  showPause();
});
$("resume").addEventListener("click", async () => {
  await chrome.storage.local.set({ pausedUntil: 0 });
  showPause();
});

$("open-options").addEventListener("click", () => chrome.runtime.openOptionsPage());
$("open-server").addEventListener("click", async () => {
  const { serverUrl } = /** @type {Partial<Carelint.Settings>} */ (await chrome.storage.local.get("serverUrl"));
  const url = C.normalizeServerUrl(serverUrl || C.DEFAULT_SERVER_URL);
  if (C.isLoopbackUrl(url + "/")) chrome.tabs.create({ url: url + "/" });
});

showStatus();
showPause();
showCurrentPairing($("pairing"));
showTab();
