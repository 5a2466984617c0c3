// @ts-check
// Service worker: the only part of the extension that talks to the Carelint server.
// Content scripts send it messages; it adds the token, applies timeouts, falls back to
// the built-in offline patterns and keeps the per-tab finding counts for the badge.
import "./shared/constants.js";
import "./shared/offline.js";

const C = globalThis.Carelint;
const REQUEST_TIMEOUT_MS = 8000;

/** @returns {Promise<{serverUrl: string, token: string}>} */
async function getConfig() {
  const stored = await chrome.storage.local.get(["serverUrl", "token"]);
  const serverUrl = C.normalizeServerUrl(stored.serverUrl || C.DEFAULT_SERVER_URL);
  return { serverUrl, token: typeof stored.token === "string" ? stored.token : "" };
}

class Offline extends Error {}

/**
 * One call to the server. Network failure (server down) becomes Offline; HTTP errors are
 * returned with their status so callers can tell a wrong token from a bad request.
 * @param {string} path
 * @param {{method?: string, body?: unknown, auth?: boolean}} [options]
 * @returns {Promise<{status: number, json: any}>}
 */
async function api(path, { method = "GET", body, auth = true } = {}) {
  const { serverUrl, token } = await getConfig();
  if (!C.isLoopbackUrl(serverUrl + "/")) throw new Offline("server URL is not on this machine");
  /** @type {Record<string, string>} */
  const headers = {};
  if (auth) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(serverUrl + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      cache: "no-store",
      credentials: "omit",
    });
  } catch (e) {
    throw new Offline(String(e && /** @type {Error} */ (e).message));
  }
  return { status: response.status, json: await jsonOf(response) };
}

/** @param {Response} response */
async function jsonOf(response) {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/** @param {number} status @returns {Carelint.Status} */
function statusFromHttp(status) {
  if (status >= 200 && status < 300) return "connected";
  if (status === 401) return "unauthorized";
  return "error";
}

/** @param {Carelint.Status} status */
async function rememberStatus(status) {
  await chrome.storage.session.set({ serverStatus: status, serverStatusAt: Date.now() });
}

/** @param {string} text @param {string} platform @returns {Carelint.CheckResult} */
function offlineResult(text, platform) {
  return {
    findings: C.offlineCheck(text),
    disclaimer: { needed: false, present: false, suggested: "" },
    platform: { name: platform, limit: null, length: text.length, remaining: null },
  };
}

/** @param {{text: string, platform: string, context?: string}} msg @returns {Promise<Carelint.CheckResponse>} */
async function check({ text, platform, context }) {
  /** @type {Carelint.Status} */
  let status;
  if (!(await getConfig()).token) {
    // Never paired: no text leaves the page; the built-in patterns run and the chip says so.
    return { ok: true, status: "unpaired", offline: true, result: offlineResult(text, platform) };
  }
  try {
    const body = { text, platform, offset_unit: "utf16", context: context === "review_reply" ? "review_reply" : "post" };
    const r = await api("/v1/check", { method: "POST", body });
    status = statusFromHttp(r.status);
    if (status === "connected" && r.json && Array.isArray(r.json.findings)) {
      await rememberStatus(status);
      return { ok: true, status, offline: false, result: r.json };
    }
    if (status === "connected") status = "error";
  } catch (e) {
    if (!(e instanceof Offline)) throw e;
    status = "offline";
  }
  await rememberStatus(status);
  return { ok: true, status, offline: true, result: offlineResult(text, platform) };
}

/** @returns {Promise<{status: Carelint.Status, version?: string, model?: string}>} */
async function serverStatus() {
  let health;
  try {
    health = await api("/v1/health", { auth: false });
  } catch (e) {
    if (!(e instanceof Offline)) throw e;
    await rememberStatus("offline");
    return { status: "offline" };
  }
  if (health.status !== 200) {
    await rememberStatus("error");
    return { status: "error" };
  }
  // Health needs no token; a settings read tells whether ours is accepted.
  const settings = await api("/v1/settings").catch(() => ({ status: 0 }));
  const status = settings.status === 0 ? "offline" : statusFromHttp(settings.status);
  await rememberStatus(status);
  return { status, version: health.json && health.json.version, model: health.json && health.json.model };
}

/** @returns {Promise<Record<string, any>>} */
async function getSettings() {
  const r = await api("/v1/settings");
  if (r.status !== 200) throw new Error(`settings: HTTP ${r.status}`);
  return r.json;
}

/** What empty settings mean (the default disclaimers), for the options page. */
async function getDefaults() {
  const r = await api("/v1/settings/defaults");
  if (r.status !== 200) throw new Error(`settings defaults: HTTP ${r.status}`);
  return r.json;
}

/** Every rule (id, category, severity, message), for the options page's rule switches. */
async function getRules() {
  const r = await api("/v1/rules");
  if (r.status !== 200) throw new Error(`rules: HTTP ${r.status}`);
  return r.json.rules;
}

/** @param {Record<string, any>} settings */
async function putSettings(settings) {
  const r = await api("/v1/settings", { method: "PUT", body: settings });
  if (r.status !== 200) throw new Error(`settings: HTTP ${r.status}`);
  return r.json || settings;
}

/** @param {{text: string, kind?: string}} msg */
async function addToAllowlist({ text, kind }) {
  const value = String(text || "").trim();
  if (!value) throw new Error("nothing to add");
  const settings = await getSettings();
  const field = kind === "handle" || value.startsWith("@") ? "staff_handles" : "staff_names";
  const list = Array.isArray(settings[field]) ? settings[field] : [];
  if (!list.includes(value)) settings[field] = [...list, value];
  return putSettings(settings);
}

// --- pairing ----------------------------------------------------------------------------
//
// Nothing is stored until the user confirms in Carelint's own UI. A local page (the server's
// signed-in playground, or any other local program's look-alike: the content script runs on
// every loopback port) or the options page only *proposes* a server and token; the worker
// checks the token against that server, keeps the proposal pending in storage.session, and
// shows the address and the fingerprint it computes itself next to Pair / Cancel (a tab of
// pair/confirm.html for a page, inline on the options page). The user compares them with what
// `carelint serve` printed in the terminal.

const PENDING_KEY = "pendingPairing";
const PENDING_TTL_MS = 10 * 60 * 1000;
const EXTENSION_BASE = chrome.runtime.getURL("");
// Firefox gives each install its own origin, which the server must learn (with the token).
const IS_FIREFOX = EXTENSION_BASE.startsWith("moz-extension:");

/** @param {chrome.runtime.MessageSender} sender */
const fromExtensionPage = (sender) => !!sender.url && sender.url.startsWith(EXTENSION_BASE);

/** @param {chrome.runtime.MessageSender} sender */
function requireExtensionPage(sender) {
  if (!fromExtensionPage(sender)) throw new Error("only Carelint's own pages may do this");
}

/**
 * The server address and token as proposed, or an error the user can act on.
 * @param {unknown} serverUrl @param {unknown} token
 */
function proposal(serverUrl, token) {
  const url = C.normalizeServerUrl(serverUrl);
  if (!C.isLoopbackUrl(url + "/")) {
    throw new Error("The server must run on this machine: an address like http://127.0.0.1:8787.");
  }
  if (typeof token !== "string" || !C.TOKEN_PATTERN.test(token)) {
    throw new Error("That is not a Carelint token (`carelint token` prints it).");
  }
  return { origin: new URL(url + "/").origin, token };
}

/**
 * Does the server at `origin` accept `token`? An unregistered Firefox origin is refused before
 * the token is looked at: that case is settled when the user confirms (see confirmPairing).
 * @param {string} origin @param {string} token
 * @returns {Promise<{needsOrigin: boolean}>}
 */
async function verifyToken(origin, token) {
  let r;
  try {
    r = await fetch(origin + "/v1/settings", {
      headers: { Authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      cache: "no-store",
      credentials: "omit",
    });
  } catch {
    throw new Error(`No Carelint server answers at ${origin}: start it with \`carelint serve\`.`);
  }
  if (r.status === 200) return { needsOrigin: false };
  const json = await jsonOf(r);
  const code = json && json.error && json.error.code;
  if (IS_FIREFOX && r.status === 403 && code === "forbidden_origin") return { needsOrigin: true };
  if (r.status === 401) throw new Error(`The server at ${origin} refused this token.`);
  throw new Error(`The server at ${origin} answered HTTP ${r.status}: it does not look like a Carelint server.`);
}

/**
 * Check the token and keep the proposal pending (one at a time: a new one replaces it).
 * @param {string} origin @param {string} token @param {"page" | "options"} source @param {number | null} tabId
 * @returns {Promise<Carelint.PendingPairing>}
 */
async function propose(origin, token, source, tabId) {
  const { needsOrigin } = await verifyToken(origin, token);
  /** @type {Carelint.PendingPairing} */
  const pending = {
    id: crypto.randomUUID(),
    serverUrl: origin,
    token,
    fingerprint: await C.fingerprint(token),
    source,
    tabId,
    at: Date.now(),
    needsOrigin,
  };
  await chrome.storage.session.set({ [PENDING_KEY]: pending });
  return pending;
}

/** @returns {Promise<Carelint.PendingPairing | undefined>} */
async function readPending() {
  const stored = await chrome.storage.session.get(PENDING_KEY);
  return /** @type {Carelint.PendingPairing | undefined} */ (stored[PENDING_KEY]);
}

/** @param {unknown} id @returns {Promise<Carelint.PendingPairing>} */
async function pendingPairing(id) {
  const pending = await readPending();
  if (!pending || pending.id !== id || Date.now() - pending.at > PENDING_TTL_MS) {
    throw new Error("This pairing request is no longer valid: it was answered, replaced by a newer one, or is over 10 minutes old. Click Pair on the server page again.");
  }
  return pending;
}

/**
 * What the confirmation shows: never the token.
 * @param {Carelint.PendingPairing} pending
 * @returns {Promise<Carelint.PairingProposal>}
 */
async function describe(pending) {
  const { serverUrl, token } = await getConfig();
  const current = token ? { serverUrl, fingerprint: await C.fingerprint(token) } : null;
  return { id: pending.id, serverUrl: pending.serverUrl, fingerprint: pending.fingerprint, source: pending.source, current };
}

/** @param {number | null} tabId @param {boolean} paired */
function tellPage(tabId, paired) {
  if (tabId === null) return;
  chrome.tabs.sendMessage(tabId, { type: C.MSG.PAIR_RESULT, paired }, { frameId: 0 }).catch(() => {});
}

/**
 * From the content script on a local page: the page's own origin and the token its server
 * gave to the signed-in page. Opens the confirmation tab next to it.
 * @param {{serverUrl?: unknown, token?: unknown}} msg @param {chrome.runtime.MessageSender} sender
 */
async function pairFromPage({ serverUrl, token }, sender) {
  const tab = sender.tab;
  const { origin, token: t } = proposal(serverUrl, token);
  const senderOrigin = sender.url ? new URL(sender.url).origin : "";
  if (!tab || tab.id === undefined || sender.frameId !== 0 || senderOrigin !== origin) {
    throw new Error("pairing is only accepted from the server's own page");
  }
  const pending = await propose(origin, t, "page", tab.id);
  const confirmTab = await chrome.tabs.create({
    url: chrome.runtime.getURL(`pair/confirm.html?id=${encodeURIComponent(pending.id)}`),
    index: tab.index + 1,
    openerTabId: tab.id,
    windowId: tab.windowId,
  });
  // Closing that tab without answering is a Cancel (see tabs.onRemoved below).
  const current = await readPending();
  if (current && current.id === pending.id && confirmTab.id !== undefined) {
    await chrome.storage.session.set({ [PENDING_KEY]: { ...current, confirmTabId: confirmTab.id } });
  }
  return { pending: true };
}

/**
 * From the options page: an address and token typed or pasted by hand. The page shows the
 * same confirmation inline.
 * @param {{serverUrl?: unknown, token?: unknown}} msg @param {chrome.runtime.MessageSender} sender
 */
async function pairByHand({ serverUrl, token }, sender) {
  requireExtensionPage(sender);
  const { origin, token: t } = proposal(serverUrl, token);
  return describe(await propose(origin, t, "options", null));
}

/** @param {{id?: unknown}} msg @param {chrome.runtime.MessageSender} sender */
async function showPending({ id }, sender) {
  requireExtensionPage(sender);
  return describe(await pendingPairing(id));
}

/**
 * Firefox: register this install's moz-extension:// origin with the server (the request's
 * Origin header is it; the token proves we may).
 * @param {Carelint.PendingPairing} pending
 */
async function registerOrigin(pending) {
  let r;
  try {
    r = await fetch(pending.serverUrl + "/v1/extension-origin", {
      method: "POST",
      headers: { Authorization: `Bearer ${pending.token}` },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      cache: "no-store",
      credentials: "omit",
    });
  } catch {
    throw new Error(`No Carelint server answers at ${pending.serverUrl} any more.`);
  }
  if (r.status === 401) throw new Error(`The server at ${pending.serverUrl} refused this token.`);
  if (r.status !== 200) throw new Error(`The server at ${pending.serverUrl} did not register this browser (HTTP ${r.status}).`);
}

/**
 * The user compared the fingerprint and chose "Pair with this server".
 * @param {{id?: unknown}} msg @param {chrome.runtime.MessageSender} sender
 */
async function confirmPairing({ id }, sender) {
  requireExtensionPage(sender);
  const pending = await pendingPairing(id);
  if (IS_FIREFOX) await registerOrigin(pending);
  // The server may have stopped or changed its token since the proposal.
  const { needsOrigin } = await verifyToken(pending.serverUrl, pending.token);
  if (needsOrigin) throw new Error(`The server at ${pending.serverUrl} did not accept this browser.`);
  await chrome.storage.local.set({ serverUrl: pending.serverUrl, token: pending.token });
  await chrome.storage.session.remove(PENDING_KEY);
  await rememberStatus("connected");
  tellPage(pending.tabId, true);
  return { paired: true, serverUrl: pending.serverUrl, fingerprint: pending.fingerprint };
}

/** @param {{id?: unknown}} msg @param {chrome.runtime.MessageSender} sender */
async function cancelPairing({ id }, sender) {
  requireExtensionPage(sender);
  await dropPending((pending) => pending.id === id);
  return { paired: false };
}

/**
 * Forget the pending proposal if `which` says so, and tell its page it was cancelled.
 * @param {(pending: Carelint.PendingPairing) => boolean} which
 */
async function dropPending(which) {
  const pending = await readPending();
  if (!pending || !which(pending)) return;
  await chrome.storage.session.remove(PENDING_KEY);
  tellPage(pending.tabId, false);
}

/**
 * From the content script on a local page: is the extension paired with this page's server
 * (same address, and that server accepts the stored token)? Only ever about the asking page.
 * @param {unknown} _msg @param {chrome.runtime.MessageSender} sender
 */
async function pairState(_msg, sender) {
  const origin = sender.url && sender.frameId === 0 ? new URL(sender.url).origin : "";
  const { serverUrl, token } = await getConfig();
  if (!origin || !token || origin !== serverUrl) return { paired: false };
  const r = await api("/v1/settings").catch(() => ({ status: 0 }));
  return { paired: r.status === 200 };
}

// ----------------------------------------------------------------------------------------

/** @param {{count: number}} msg @param {chrome.runtime.MessageSender} sender */
async function setCount({ count }, sender) {
  const tabId = sender && sender.tab && sender.tab.id;
  if (tabId === undefined) return {};
  const key = `count:${tabId}`;
  await chrome.storage.session.set({ [key]: count });
  await chrome.action.setBadgeText({ tabId, text: count ? String(count) : "" });
  await chrome.action.setBadgeBackgroundColor({ tabId, color: "#b42318" });
  return {};
}

// Images: the content script sends the bytes as a data: URL (messages are JSON), the worker
// posts them raw to /v1/check-image. OCR takes a second or more, so the timeout is longer.
const IMAGE_TIMEOUT_MS = 45000;
const MAX_IMAGE_BYTES = 15 * 1024 * 1024;
const IMAGE_TYPES = ["image/png", "image/jpeg", "image/webp"];

/** @param {{dataUrl: string}} msg @returns {Promise<Carelint.ImageResponse>} */
async function checkImage({ dataUrl }) {
  const { serverUrl, token } = await getConfig();
  let blob;
  try {
    blob = await (await fetch(String(dataUrl || ""))).blob();
  } catch {
    return { ok: false, status: "error", offline: false, error: "unreadable image" };
  }
  if (blob.size > MAX_IMAGE_BYTES) return { ok: false, status: "error", offline: false, error: "too large" };
  if (!C.isLoopbackUrl(serverUrl + "/")) return { ok: true, status: "offline", offline: true, result: null };
  const type = IMAGE_TYPES.includes(blob.type) ? blob.type : "application/octet-stream";
  let response;
  try {
    response = await fetch(serverUrl + "/v1/check-image", {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": type },
      body: blob,
      signal: AbortSignal.timeout(IMAGE_TIMEOUT_MS),
      cache: "no-store",
      credentials: "omit",
    });
  } catch {
    await rememberStatus("offline");
    return { ok: true, status: "offline", offline: true, result: null };
  }
  const json = await jsonOf(response);
  const status = statusFromHttp(response.status);
  if (status === "connected" && json && Array.isArray(json.findings)) {
    await rememberStatus(status);
    return { ok: true, status, offline: false, result: json };
  }
  if (status === "unauthorized") {
    await rememberStatus(status);
    return { ok: true, status, offline: true, result: null };
  }
  // 413 / 415 / 422: the server could not check this picture (not the server being down).
  const error = (json && json.error && (json.error.message || json.error.code)) || `HTTP ${response.status}`;
  return { ok: false, status: "error", offline: false, error: String(error) };
}

/** @type {Record<string, (msg: any, sender: chrome.runtime.MessageSender) => unknown>} */
const handlers = {
  [C.MSG.CHECK_IMAGE]: checkImage,
  [C.MSG.CHECK]: check,
  [C.MSG.STATUS]: serverStatus,
  [C.MSG.COUNT]: setCount,
  [C.MSG.SETTINGS_GET]: getSettings,
  [C.MSG.SETTINGS_PUT]: ({ settings }) => putSettings(settings),
  [C.MSG.SETTINGS_DEFAULTS]: getDefaults,
  [C.MSG.PROBE]: probe,
  [C.MSG.OPEN_WELCOME]: () => chrome.tabs.create({ url: chrome.runtime.getURL(WELCOME) }).then(() => true),
  [C.MSG.RULES]: getRules,
  [C.MSG.ALLOWLIST_ADD]: addToAllowlist,
  [C.MSG.PAIR]: pairFromPage,
  [C.MSG.PAIR_MANUAL]: pairByHand,
  [C.MSG.PAIR_PENDING]: showPending,
  [C.MSG.PAIR_CONFIRM]: confirmPairing,
  [C.MSG.PAIR_CANCEL]: cancelPairing,
  [C.MSG.PAIR_STATE]: pairState,
};

chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  const handler = msg && Object.hasOwn(handlers, msg.type) ? handlers[msg.type] : null;
  if (!handler) return false;
  // Only our own pages and content scripts talk to us; the pairing handlers check more.
  if (sender.id !== chrome.runtime.id) return false;
  Promise.resolve()
    .then(() => handler(msg, sender))
    .then(
      (value) => sendResponse({ ok: true, value }),
      (e) => sendResponse({ ok: false, error: String((e && e.message) || e) }),
    );
  return true;
});

// First run: the welcome page finds the server, pairs, and shows a sample composer.
const WELCOME = "welcome/welcome.html";
chrome.runtime.onInstalled.addListener(({ reason }) => {
  if (reason === "install") chrome.tabs.create({ url: chrome.runtime.getURL(WELCOME) });
});

/** Is a Carelint server at `url`? Its health only: no token, no text. @param {{url: string}} msg */
async function probe({ url }) {
  const base = C.normalizeServerUrl(url);
  if (!C.isLoopbackUrl(base + "/")) return { found: false, reason: "not this machine" };
  try {
    const r = await fetch(base + "/v1/health", { signal: AbortSignal.timeout(2000), cache: "no-store", credentials: "omit" });
    const json = await jsonOf(r);
    return r.ok && json && json.status === "ok" ? { found: true, url: base, version: json.version } : { found: false };
  } catch {
    return { found: false };
  }
}

// Keyboard shortcuts (manifest "commands", editable in chrome://extensions/shortcuts): the tab's
// content script acts on the composer the user is in.
/** @param {string} command @param {chrome.tabs.Tab | undefined} tab */
async function runCommand(command, tab) {
  const id = tab && tab.id !== undefined ? tab.id : (await chrome.tabs.query({ active: true, lastFocusedWindow: true }))[0]?.id;
  if (id === undefined) return false;
  return chrome.tabs.sendMessage(id, { type: C.MSG.COMMAND, command }).catch(() => false);
}
chrome.commands.onCommand.addListener((command, tab) => void runCommand(command, tab));
/** @type {any} */ (globalThis).carelintCommand = runCommand; // for the tests: what a shortcut does

chrome.tabs.onRemoved.addListener((tabId) => {
  chrome.storage.session.remove(`count:${tabId}`);
  dropPending((pending) => pending.confirmTabId === tabId); // the confirmation closed unanswered
});
