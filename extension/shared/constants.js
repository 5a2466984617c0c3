// Constants shared by the service worker (imported as a module for its side effect) and
// the content scripts (loaded as a classic script): both just read globalThis.Carelint.
(() => {
  const C = (globalThis.Carelint = globalThis.Carelint || {});
  C.DEFAULT_SERVER_URL = "http://127.0.0.1:8787";
  C.SEVERITIES = ["high", "medium", "low"];
  C.SEVERITY_RANK = { high: 3, medium: 2, low: 1 };
  C.HIGHLIGHT_NAMES = { high: "carelint-high", medium: "carelint-medium", low: "carelint-low" };
  // Keys in chrome.storage.local. serverUrl and token are part of the public contract.
  C.STORAGE_DEFAULTS = { serverUrl: "http://127.0.0.1:8787", token: "", disabledSites: [], minSeverity: "low" };
  C.MSG = {
    CHECK: "check",
    CHECK_IMAGE: "check:image",
    STATUS: "status",
    PAIR: "pair",
    COUNT: "count",
    SETTINGS_GET: "settings:get",
    SETTINGS_PUT: "settings:put",
    ALLOWLIST_ADD: "allowlist:add",
    TAB_INFO: "tab:info",
  };
  C.STATUS_TEXT = {
    connected: "Connected",
    offline: "Server offline",
    unauthorized: "Wrong token: pair again",
    error: "Server error",
    unknown: "Checking…",
  };
  // Plain http is only acceptable to a server on this machine.
  C.isLoopbackUrl = (value) => {
    try {
      const u = new URL(value);
      return (
        (u.protocol === "http:" || u.protocol === "https:") &&
        ["127.0.0.1", "localhost", "[::1]"].includes(u.hostname) &&
        u.pathname === "/" &&
        !u.search &&
        !u.hash &&
        !u.username
      );
    } catch {
      return false;
    }
  };
  C.normalizeServerUrl = (value) => String(value || "").trim().replace(/\/+$/, "");
})();
