// Popup: server status, findings on the current tab, per-site switch.
const C = globalThis.Carelint;
const $ = (id) => document.getElementById(id);

const HELP = {
  offline: "The Carelint server is not running. Start it with `carelint serve`; until then only built-in patterns are checked.",
  unauthorized: "The server refused the token. Open the server page and click “Pair the Carelint extension”.",
  error: "The server answered with an error.",
};

async function send(msg) {
  const r = await chrome.runtime.sendMessage(msg);
  if (!r || !r.ok) throw new Error((r && r.error) || "no response");
  return r.value;
}

async function showStatus() {
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

async function currentTab() {
  const forced = new URLSearchParams(location.search).get("tab"); // for tests and debugging
  if (forced) return Number(forced);
  const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
  return tab && tab.id;
}

async function showTab() {
  const tabId = await currentTab();
  let info = null;
  try {
    if (tabId !== undefined) info = await chrome.tabs.sendMessage(tabId, { type: C.MSG.TAB_INFO });
  } catch {
    info = null; // no content script: not a supported site
  }
  $("tab-none").hidden = !!info;
  $("tab-info").hidden = !info;
  if (!info) return;
  $("tab-count").textContent = String(info.count);
  $("tab-count-label").textContent = `finding${info.count === 1 ? "" : "s"} in the composers on this page${info.high ? ` (${info.high} high)` : ""}`;
  $("tab-offline").hidden = !info.offline;
  $("site-name").textContent = info.site;
  const box = $("site-enabled");
  box.checked = info.enabled;
  box.onchange = async () => {
    const { disabledSites = [] } = await chrome.storage.local.get("disabledSites");
    const next = new Set(disabledSites);
    if (box.checked) next.delete(info.site);
    else next.add(info.site);
    await chrome.storage.local.set({ disabledSites: [...next] });
  };
}

$("open-options").addEventListener("click", () => chrome.runtime.openOptionsPage());
$("open-server").addEventListener("click", async () => {
  const { serverUrl } = await chrome.storage.local.get("serverUrl");
  const url = C.normalizeServerUrl(serverUrl || C.DEFAULT_SERVER_URL);
  if (C.isLoopbackUrl(url + "/")) chrome.tabs.create({ url: url + "/" });
});

showStatus();
showTab();
