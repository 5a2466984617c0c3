// @ts-check
// Constants shared by the service worker (imported as a module for its side effect), the
// extension pages and the content scripts (loaded as classic scripts): all of them just read
// globalThis.Carelint, whose type is declared in types/carelint.d.ts.
(() => {
  const C = (globalThis.Carelint = globalThis.Carelint || /** @type {Carelint.Namespace} */ ({}));
  C.DEFAULT_SERVER_URL = "http://127.0.0.1:8787";
  C.SEVERITIES = ["high", "medium", "low"];
  C.SEVERITY_RANK = { high: 3, medium: 2, low: 1 };
  // An icon per severity, so that high and medium differ by more than colour; the words for
  // severities and categories are in shared/strings.js, per language.
  C.SEVERITY_ICONS = { high: "⛔", medium: "⚠️", low: "💡" };
  C.HIGHLIGHT_NAMES = { high: "carelint-high", medium: "carelint-medium", low: "carelint-low" };
  // Keys in chrome.storage.local. serverUrl and token are part of the public contract.
  // ignoredTexts: the user's own "Always ignore" list (finding texts, matched in any case).
  C.STORAGE_DEFAULTS = { serverUrl: "http://127.0.0.1:8787", token: "", disabledSites: [], minSeverity: "low", ignoredTexts: [], pausedUntil: 0 };
  C.MSG = {
    CHECK: "check",
    CHECK_IMAGE: "check:image",
    STATUS: "status",
    COUNT: "count",
    SETTINGS_GET: "settings:get",
    SETTINGS_PUT: "settings:put",
    SETTINGS_DEFAULTS: "settings:defaults",
    RULES: "rules",
    ALLOWLIST_ADD: "allowlist:add",
    TAB_INFO: "tab:info",
    COMMAND: "command",
    PROBE: "probe",
    OPEN_WELCOME: "open:welcome",
    // Pairing: a page's content script or the options page proposes a server and token, the
    // worker keeps them pending, and only Carelint's own confirmation stores them.
    PAIR: "pair",
    PAIR_MANUAL: "pair:manual",
    PAIR_PENDING: "pair:pending",
    PAIR_CONFIRM: "pair:confirm",
    PAIR_CANCEL: "pair:cancel",
    PAIR_RESULT: "pair:result",
    PAIR_STATE: "pair:state",
  };
  // What `carelint token` prints (URL-safe base64) or any reasonable hand-set token.
  C.TOKEN_PATTERN = /^[\w.~+/=-]{8,512}$/;

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

  // The pairing fingerprint, computed here from the token itself (never taken from a page):
  // the first 12 hex digits, upper-case, of SHA-256("carelint-pairing:" + token), grouped by
  // four. `carelint serve` prints the same value (server/carelint/api/session.py).
  C.fingerprint = async (token) => {
    const data = new TextEncoder().encode(`carelint-pairing:${token}`);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
    const hex = [...digest.slice(0, 6)].map((b) => b.toString(16).padStart(2, "0")).join("").toUpperCase();
    return `${hex.slice(0, 4)}-${hex.slice(4, 8)}-${hex.slice(8, 12)}`;
  };
})();
