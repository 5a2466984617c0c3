// Options: server address and token (pairing is one click on the server's own page),
// severity threshold, per-site switches, and the organisation policy kept by the server
// (GET/PUT /v1/settings through the service worker; PUT replaces the whole object, so
// the fields this page does not show are sent back unchanged).
const C = globalThis.Carelint;
const $ = (id) => document.getElementById(id);
let policy = null;

async function send(msg) {
  const r = await chrome.runtime.sendMessage(msg);
  if (!r || !r.ok) throw new Error((r && r.error) || "no response");
  return r.value;
}

async function showStatus() {
  let status;
  try {
    status = (await send({ type: C.MSG.STATUS })).status;
  } catch {
    status = "error";
  }
  $("server-status").dataset.state = status;
  $("server-status").textContent = C.STATUS_TEXT[status] || status;
  return status;
}

async function loadServer() {
  const { serverUrl, token } = await chrome.storage.local.get(["serverUrl", "token"]);
  $("server-url").value = serverUrl || C.DEFAULT_SERVER_URL;
  $("token").value = token || "";
}

$("save-server").addEventListener("click", async () => {
  const url = C.normalizeServerUrl($("server-url").value || C.DEFAULT_SERVER_URL);
  if (!C.isLoopbackUrl(url + "/")) {
    $("server-note").textContent = "The server must run on this machine (127.0.0.1 or localhost).";
    return;
  }
  await chrome.storage.local.set({ serverUrl: url, token: $("token").value.trim() });
  const status = await showStatus();
  $("server-note").textContent = C.STATUS_TEXT[status] || status;
  loadPolicy();
});

$("open-server").addEventListener("click", () => {
  const url = C.normalizeServerUrl($("server-url").value || C.DEFAULT_SERVER_URL);
  if (C.isLoopbackUrl(url + "/")) chrome.tabs.create({ url: url + "/" });
});

async function loadChecking() {
  const { minSeverity = "low", disabledSites = [] } = await chrome.storage.local.get(["minSeverity", "disabledSites"]);
  $("min-severity").value = minSeverity;
  const box = $("sites");
  box.replaceChildren();
  for (const site of C.SITES) {
    const label = document.createElement("label");
    label.className = "inline";
    const input = document.createElement("input");
    input.type = "checkbox";
    input.dataset.site = site.id;
    input.checked = !disabledSites.includes(site.id);
    input.addEventListener("change", saveSites);
    label.append(input, ` ${site.id} (${site.hosts[0]})`);
    box.append(label);
  }
}

async function saveSites() {
  const disabled = [...document.querySelectorAll("#sites input")].filter((i) => !i.checked).map((i) => i.dataset.site);
  await chrome.storage.local.set({ disabledSites: disabled });
}

$("min-severity").addEventListener("change", () => chrome.storage.local.set({ minSeverity: $("min-severity").value }));

const lines = (v) => v.split("\n").map((s) => s.trim()).filter(Boolean);

async function loadPolicy() {
  try {
    policy = await send({ type: C.MSG.SETTINGS_GET });
  } catch {
    policy = null;
  }
  $("policy-unavailable").hidden = !!policy;
  $("policy").hidden = !policy;
  if (!policy) return;
  for (const el of document.querySelectorAll("#policy [id]")) {
    if (!(el.id in policy)) continue;
    el.value = el.hasAttribute("data-list") ? (policy[el.id] || []).join("\n") : policy[el.id] || "";
  }
}

$("policy").addEventListener("submit", async (e) => {
  e.preventDefault();
  if (!policy) return;
  const next = { ...policy };
  for (const el of document.querySelectorAll("#policy textarea, #policy input")) {
    if (!(el.id in policy)) continue;
    next[el.id] = el.hasAttribute("data-list") ? lines(el.value) : el.value.trim();
  }
  try {
    policy = await send({ type: C.MSG.SETTINGS_PUT, settings: next });
    $("policy-note").textContent = "Saved.";
  } catch (err) {
    $("policy-note").textContent = `Not saved: ${err.message}`;
  }
});

loadServer();
loadChecking();
showStatus();
loadPolicy();
