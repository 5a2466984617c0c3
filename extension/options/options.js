// @ts-check
// Options: pairing by hand (address and token, confirmed with the fingerprint like pairing
// from the server's page), severity threshold, per-site switches, the user's own "Always
// ignore" list (chrome.storage.local; Remove is its undo), and the organisation policy
// kept by the server (GET/PUT /v1/settings through the service worker; PUT replaces the whole
// object, so the fields this page does not show are sent back unchanged).
import { confirmPairing, send, showCurrentPairing } from "../pair/pairing.js";

const C = globalThis.Carelint;
/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
/** @param {string} id */
const field = (id) => /** @type {HTMLInputElement} */ (document.getElementById(id));
/** @type {Record<string, any> | null} */
let policy = null;
// The page speaks the browser's language (shared/strings.js).
const LANG = C.uiLanguage();
/** @param {string} key @param {Record<string, string | number>} [vars] */
const t = (key, vars) => C.t(LANG, key, vars);
C.localise(document, LANG);
document.title = t("options.title");

async function showStatus() {
  /** @type {Carelint.Status} */
  let status;
  try {
    status = (await send({ type: C.MSG.STATUS })).status;
  } catch {
    status = "error";
  }
  $("server-status").dataset.state = status;
  $("server-status").textContent = C.statusText(status);
  return status;
}

async function loadServer() {
  const { serverUrl, token } = /** @type {Partial<Carelint.Settings>} */ (await chrome.storage.local.get(["serverUrl", "token"]));
  field("server-url").value = serverUrl || C.DEFAULT_SERVER_URL;
  field("token").value = token || "";
  await showCurrentPairing($("server"));
}

/** What was typed in the address field, with http:// added when no scheme was given. */
function typedServerUrl() {
  const raw = field("server-url").value.trim() || C.DEFAULT_SERVER_URL;
  return C.normalizeServerUrl(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
}

let confirming = false;
$("save-server").addEventListener("click", async () => {
  if (confirming) return;
  const note = $("server-note");
  const url = typedServerUrl();
  if (!C.isLoopbackUrl(url + "/")) {
    note.textContent = t("options.localOnly");
    return;
  }
  note.textContent = t("options.checkingToken");
  /** @type {Carelint.PairingProposal} */
  let proposal;
  try {
    proposal = await send({ type: C.MSG.PAIR_MANUAL, serverUrl: url, token: field("token").value.trim() });
  } catch (e) {
    note.textContent = t("pair.notPaired", { error: /** @type {Error} */ (e).message });
    return;
  }
  note.textContent = "";
  confirming = true;
  $("save-server").toggleAttribute("disabled", true);
  const panel = $("confirmation");
  panel.hidden = false;
  const answer = confirmPairing($("confirm-box"), proposal);
  $("confirm-heading").focus();
  const outcome = await answer;
  confirming = false;
  $("save-server").toggleAttribute("disabled", false);
  note.textContent = outcome === "paired" ? t("pair.paired", { server: proposal.serverUrl }) : t("options.nothingSaved");
  panel.hidden = true;
  $("save-server").focus();
  await loadServer();
  if (outcome === "paired") {
    await showStatus();
    loadPolicy();
  }
});

$("open-server").addEventListener("click", () => {
  const url = typedServerUrl();
  if (C.isLoopbackUrl(url + "/")) chrome.tabs.create({ url: url + "/" });
});

async function loadChecking() {
  const { minSeverity = "low", disabledSites = [] } = /** @type {Partial<Carelint.Settings>} */ (
    await chrome.storage.local.get(["minSeverity", "disabledSites"])
  );
  field("min-severity").value = minSeverity;
  const box = $("sites");
  box.replaceChildren();
  for (const site of C.SITES) {
    const { label, input } = switchLabel("inline", "site", site.id, !disabledSites.includes(site.id));
    input.addEventListener("change", saveSites);
    label.append(` ${site.name} (${site.hosts[0]})`);
    box.append(label);
  }
}

/** A checkbox in its label, `data-<key>` = value: the sites' and the rules' switches.
 * @param {string} className @param {string} key @param {string} value @param {boolean} checked */
function switchLabel(className, key, value, checked) {
  const label = document.createElement("label");
  label.className = className;
  const input = document.createElement("input");
  input.type = "checkbox";
  input.dataset[key] = value;
  input.checked = checked;
  label.append(input);
  return { label, input };
}

async function saveSites() {
  const inputs = /** @type {NodeListOf<HTMLInputElement>} */ (document.querySelectorAll("#sites input"));
  const disabled = [...inputs].filter((i) => !i.checked).map((i) => i.dataset.site);
  await chrome.storage.local.set({ disabledSites: disabled });
}

$("min-severity").addEventListener("change", () => chrome.storage.local.set({ minSeverity: field("min-severity").value }));

async function loadIgnored() {
  const { ignoredTexts } = /** @type {Partial<Carelint.Settings>} */ (await chrome.storage.local.get("ignoredTexts"));
  const list = Array.isArray(ignoredTexts) ? ignoredTexts : [];
  $("ignored-empty").hidden = list.length > 0;
  $("ignored-list").replaceChildren(
    ...list.map((text) => {
      const item = document.createElement("li");
      const name = document.createElement("span");
      name.className = "ignored-text";
      name.textContent = text;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "remove";
      remove.textContent = t("options.remove");
      remove.setAttribute("aria-label", t("options.removeLabel", { text }));
      remove.addEventListener("click", () => unignore(text));
      item.append(name, remove);
      return item;
    }),
  );
}

/** @param {string} text */
async function unignore(text) {
  const { ignoredTexts } = /** @type {Partial<Carelint.Settings>} */ (await chrome.storage.local.get("ignoredTexts"));
  const list = Array.isArray(ignoredTexts) ? ignoredTexts : [];
  await chrome.storage.local.set({ ignoredTexts: list.filter((t) => t !== text) });
  $("ignored-note").textContent = `“${text}” is flagged again.`;
  $("ignored-heading").setAttribute("tabindex", "-1");
  $("ignored-heading").focus(); // the button is gone: keep the keyboard in this section
}

// A card on another tab may add an entry while this page is open.
chrome.storage.onChanged.addListener((changes, area) => {
  if (area === "local" && "ignoredTexts" in changes) loadIgnored();
});

/** @param {string} v */
const lines = (v) => v.split("\n").map((s) => s.trim()).filter(Boolean);

/** The policy form's fields (textareas and inputs with an id the policy has). */
const policyFields = () =>
  /** @type {(HTMLInputElement | HTMLTextAreaElement)[]} */ ([...document.querySelectorAll("#policy textarea, #policy input")]);

async function loadPolicy() {
  try {
    policy = await send({ type: C.MSG.SETTINGS_GET });
  } catch {
    policy = null;
  }
  $("policy-unavailable").hidden = !!policy;
  $("policy").hidden = !policy;
  if (!policy) return;
  for (const el of policyFields()) {
    if (!(el.id in policy)) continue;
    el.value = el.hasAttribute("data-list") ? (policy[el.id] || []).join("\n") : policy[el.id] || "";
  }
  // An empty disclaimer setting means the server's default: show it rather than a blank field.
  try {
    const defaults = await send({ type: C.MSG.SETTINGS_DEFAULTS });
    for (const id of ["disclaimer_short", "disclaimer_long"]) field(id).placeholder = defaults[id] || "";
  } catch {
    /* an older server: the fields stay as they are */
  }
  await loadRules(policy.disabled_rules || []);
}

/** One switch per rule, named by what it says (its id in small print). @param {string[]} disabled */
async function loadRules(disabled) {
  /** @type {{id: string, category: string, severity: string, message: string}[]} */
  let rules = [];
  try {
    rules = await send({ type: C.MSG.RULES });
  } catch {
    rules = [];
  }
  const box = $("rules");
  box.replaceChildren();
  for (const rule of rules) {
    const { label } = switchLabel("inline rule", "rule", rule.id, !disabled.includes(rule.id));
    const id = document.createElement("small");
    id.className = "muted";
    id.textContent = ` ${rule.id}`;
    label.append(` ${rule.category}: ${rule.message}`, id);
    box.append(label);
  }
}

$("policy").addEventListener("submit", async (e) => {
  e.preventDefault();
  if (!policy) return;
  const next = { ...policy };
  for (const el of policyFields()) {
    if (!(el.id in policy)) continue;
    next[el.id] = el.hasAttribute("data-list") ? lines(el.value) : el.value.trim();
  }
  const switches = /** @type {NodeListOf<HTMLInputElement>} */ (document.querySelectorAll("#rules input[data-rule]"));
  if (switches.length) {
    // Rules this server does not know (an older or newer pack) stay as they were.
    const shown = new Set([...switches].map((i) => i.dataset.rule));
    const kept = (policy.disabled_rules || []).filter((/** @type {string} */ id) => !shown.has(id));
    next.disabled_rules = [...kept, ...[...switches].filter((i) => !i.checked).map((i) => i.dataset.rule)];
  }
  try {
    policy = await send({ type: C.MSG.SETTINGS_PUT, settings: next });
    $("policy-note").textContent = t("options.saved");
  } catch (err) {
    $("policy-note").textContent = t("options.notSaved", { error: /** @type {Error} */ (err).message });
  }
});

// The shortcuts of the manifest's "commands", as Chrome has them now (the user may have changed
// them in chrome://extensions/shortcuts, which the button opens).
async function loadShortcuts() {
  const list = $("shortcuts");
  list.replaceChildren();
  for (const c of await chrome.commands.getAll()) {
    if (!c.name || c.name.startsWith("_")) continue;
    const li = document.createElement("li");
    const key = document.createElement("kbd");
    key.textContent = c.shortcut || "not set";
    li.append(key, ` ${c.description || c.name}`);
    li.dataset.command = c.name;
    list.append(li);
  }
}
$("edit-shortcuts").addEventListener("click", () => chrome.tabs.create({ url: "chrome://extensions/shortcuts" }));

loadServer();
loadShortcuts();
loadChecking();
loadIgnored();
showStatus();
loadPolicy();
