// @ts-check
// Popup: server status, the paired server and its fingerprint, findings on the current tab,
// per-site switch.
import { send, showCurrentPairing } from "../pair/pairing.js";

const C = globalThis.Carelint;
/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** @type {Partial<Record<Carelint.Status, string>>} */
const HELP = {
  offline: "The Carelint server is not running. Start it with `carelint serve`; until then only built-in patterns are checked.",
  unauthorized: "The server refused the token. Pair again: open the link `carelint serve` printed (or run `carelint open`) and click “Pair the Carelint extension”.",
  error: "The server answered with an error.",
};

// When a known site's composer or Post button is not where Carelint looks (the site changed).
/** @type {Partial<Record<Carelint.TabInfo["composer"], string>>} */
const COMPOSER_HELP = {
  unseen: "Carelint can't see the composer on this page: the site may have changed, and what you type there is not checked. Use the playground (Open server page) until an update.",
  "no-submit": "Carelint can't see this composer's Post button: it still holds Ctrl+Enter and the form's own submit, but a click on Post may go through unchecked.",
};

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
  el.textContent = C.STATUS_TEXT[status] || status;
  $("server-help").hidden = !HELP[status];
  $("server-help").textContent = HELP[status] || "";
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
  $("tab-count-label").textContent = `finding${count === 1 ? "" : "s"} in the composers on this page${high ? ` (${high} high)` : ""}`;
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
    ? `Paused until ${new Date(pausedUntil).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}: nothing is checked and the guard holds nothing.`
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
