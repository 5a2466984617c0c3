// Service worker: the only part of the extension that talks to the Carelint server.
// Content scripts send it messages; it adds the token, applies timeouts, falls back to
// the built-in offline patterns and keeps the per-tab finding counts for the badge.
import "./shared/constants.js";
import "./shared/offline.js";

const C = globalThis.Carelint;
const REQUEST_TIMEOUT_MS = 8000;

async function getConfig() {
  const stored = await chrome.storage.local.get(["serverUrl", "token"]);
  const serverUrl = C.normalizeServerUrl(stored.serverUrl || C.DEFAULT_SERVER_URL);
  return { serverUrl, token: stored.token || "" };
}

class Offline extends Error {}

// One call to the server. Network failure (server down) becomes Offline; HTTP errors are
// returned with their status so callers can tell a wrong token from a bad request.
async function api(path, { method = "GET", body, auth = true } = {}) {
  const { serverUrl, token } = await getConfig();
  if (!C.isLoopbackUrl(serverUrl + "/")) throw new Offline("server URL is not on this machine");
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
    throw new Offline(String(e && e.message));
  }
  let json = null;
  try {
    json = await response.json();
  } catch {
    json = null;
  }
  return { status: response.status, json };
}

function statusFromHttp(status) {
  if (status >= 200 && status < 300) return "connected";
  if (status === 401) return "unauthorized";
  return "error";
}

async function rememberStatus(status) {
  await chrome.storage.session.set({ serverStatus: status, serverStatusAt: Date.now() });
}

function offlineResult(text, platform) {
  return {
    findings: C.offlineCheck(text),
    disclaimer: { needed: false, present: false, suggested: "" },
    platform: { name: platform, limit: null, length: text.length, remaining: null },
  };
}

async function check({ text, platform }) {
  let status;
  try {
    const r = await api("/v1/check", { method: "POST", body: { text, platform, offset_unit: "utf16" } });
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

async function getSettings() {
  const r = await api("/v1/settings");
  if (r.status !== 200) throw new Error(`settings: HTTP ${r.status}`);
  return r.json;
}

async function putSettings(settings) {
  const r = await api("/v1/settings", { method: "PUT", body: settings });
  if (r.status !== 200) throw new Error(`settings: HTTP ${r.status}`);
  return r.json || settings;
}

async function addToAllowlist({ text, kind }) {
  const value = String(text || "").trim();
  if (!value) throw new Error("nothing to add");
  const settings = await getSettings();
  const field = kind === "handle" || value.startsWith("@") ? "staff_handles" : "staff_names";
  const list = Array.isArray(settings[field]) ? settings[field] : [];
  if (!list.includes(value)) settings[field] = [...list, value];
  return putSettings(settings);
}

// Pairing comes only from the Carelint page served on this machine: the content script
// runs on loopback origins only, and the token must be accepted by that server before
// anything is stored.
async function pair({ serverUrl, token }, sender) {
  const origin = C.normalizeServerUrl(serverUrl);
  const senderOrigin = sender && sender.url ? new URL(sender.url).origin : "";
  if (!C.isLoopbackUrl(origin + "/") || senderOrigin !== origin) throw new Error("pairing is only accepted from the local server page");
  if (typeof token !== "string" || !/^[\w.~+/=-]{8,512}$/.test(token)) throw new Error("malformed token");
  let r;
  try {
    r = await fetch(origin + "/v1/settings", {
      headers: { Authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      credentials: "omit",
    });
  } catch {
    throw new Error("server unreachable");
  }
  if (r.status !== 200) throw new Error(`server refused the token (HTTP ${r.status})`);
  await chrome.storage.local.set({ serverUrl: origin, token });
  await rememberStatus("connected");
  return { paired: true };
}

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
  let json = null;
  try {
    json = await response.json();
  } catch {
    json = null;
  }
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

const handlers = {
  [C.MSG.CHECK_IMAGE]: checkImage,
  [C.MSG.CHECK]: check,
  [C.MSG.STATUS]: serverStatus,
  [C.MSG.PAIR]: pair,
  [C.MSG.COUNT]: setCount,
  [C.MSG.SETTINGS_GET]: getSettings,
  [C.MSG.SETTINGS_PUT]: ({ settings }) => putSettings(settings),
  [C.MSG.ALLOWLIST_ADD]: addToAllowlist,
};

chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  const handler = msg && handlers[msg.type];
  if (!handler) return false;
  // Only our own pages and content scripts talk to us; the pairing page is checked above.
  if (sender.id !== chrome.runtime.id) return false;
  Promise.resolve()
    .then(() => handler(msg, sender))
    .then(
      (value) => sendResponse({ ok: true, value }),
      (e) => sendResponse({ ok: false, error: String((e && e.message) || e) }),
    );
  return true;
});

chrome.tabs.onRemoved.addListener((tabId) => chrome.storage.session.remove(`count:${tabId}`));
