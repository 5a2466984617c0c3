// @ts-check
// The content scripts' shared runtime state, defined before any script that reads it (the
// manifest's order is the dependency order; tests/extension/test_script_order.py checks it):
// the site, the composer sessions and the settings, which main.js fills in, the messaging to
// the service worker, and the findings count reported to the page and the toolbar badge.
(() => {
  const C = globalThis.Carelint;
  C.site = null;
  C.sessions = new Map(); // editor element -> Session
  C.settings = { ...C.STORAGE_DEFAULTS };
  C.active = false;
  C.started = false;

  let orphaned = false;
  /** @type {Set<() => void>} */
  const orphanHandlers = new Set();
  C.onOrphaned = (fn) => {
    orphanHandlers.add(fn);
  };
  C.isOrphaned = () => orphaned;

  // Messages to the service worker; a reloaded extension leaves this script orphaned, in
  // which case everything switches itself off quietly instead of throwing on every keystroke.
  C.send = async (msg) => {
    if (orphaned) throw new Error("extension reloaded");
    let r;
    try {
      r = await chrome.runtime.sendMessage(msg);
    } catch (e) {
      if (!chrome.runtime || !chrome.runtime.id) {
        orphaned = true;
        for (const fn of orphanHandlers) fn();
      }
      throw e;
    }
    if (!r || !r.ok) throw new Error((r && r.error) || "no response");
    return r.value;
  };

  // Visible findings: the composers' text findings plus what later scripts add (pictures).
  /** @type {Set<() => number>} */
  const counters = new Set();
  C.addFindingCounter = (fn) => {
    counters.add(fn);
  };
  C.visibleCount = () => {
    let n = 0;
    for (const s of C.sessions.values()) n += s.visibleFindings().length;
    for (const count of counters) n += count();
    return n;
  };

  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let countTimer;
  C.reportCount = () => {
    clearTimeout(countTimer);
    countTimer = setTimeout(() => {
      const count = C.visibleCount();
      document.documentElement.dataset.carelintFindings = String(count);
      C.send({ type: C.MSG.COUNT, count }).catch(() => {});
    }, 100);
  };
})();
