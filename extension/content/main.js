// @ts-check
// Entry point on the supported sites: finds composers as the single-page apps render them
// (MutationObserver + focusin), gives each a Session, installs the guard, and keeps the
// settings (per-site switch, severity threshold) in step with chrome.storage. The state it
// fills in (C.site, C.sessions, C.settings, C.active) is declared by content/state.js.
(() => {
  const C = globalThis.Carelint;
  const site = C.siteFor(location.hostname);
  if (!site || C.started) return;
  C.started = true;
  C.site = site;

  const paused = () => Number(C.settings.pausedUntil || 0) > Date.now();
  const enabled = () => !C.isOrphaned() && !paused() && !(C.settings.disabledSites || []).includes(site.id);
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let resumeTimer;

  function scan() {
    scanQueued = false;
    if (!C.active || !site) return;
    for (const [elem, session] of C.sessions) {
      if (!elem.isConnected) {
        session.destroy();
        C.sessions.delete(elem);
        C.reportCount();
      }
    }
    for (const spec of site.editors) {
      if (spec.path && !spec.path.test(location.pathname)) continue; // e.g. a Page's reviews tab
      const family = C.adapters[spec.family];
      for (const elem of family.find(spec.selector, site.shadowHosts)) {
        if (C.sessions.has(elem) || [...C.sessions.keys()].some((k) => k.contains(elem) || elem.contains(k))) continue;
        C.sessions.set(elem, new C.Session(site, family.bind(elem), spec));
      }
    }
    C.images.scan();
    // Shadow roots are invisible to the document observer: watch the declared ones too.
    for (const hostSel of site.shadowHosts || []) {
      for (const host of document.querySelectorAll(hostSel)) {
        if (host.shadowRoot && !observed.has(host.shadowRoot)) {
          observed.add(host.shadowRoot);
          observer.observe(host.shadowRoot, { childList: true, subtree: true, attributes: true, attributeFilter: ["aria-hidden", "hidden", "contenteditable", "src"] });
        }
      }
    }
  }

  let scanQueued = false;
  const queueScan = () => {
    if (scanQueued) return;
    scanQueued = true;
    setTimeout(() => requestAnimationFrame(scan), 50);
  };
  /** @type {WeakSet<ShadowRoot>} */
  const observed = new WeakSet();
  // A new src is only interesting on a picture the user may be attaching (blob:/data:).
  const observer = new MutationObserver((records) => {
    const isPicture = (/** @type {Node} */ n) => n instanceof Element && /^(blob:|data:image\/)/i.test(n.getAttribute("src") || "");
    if (records.some((r) => r.attributeName !== "src" || isPicture(r.target))) queueScan();
  });

  function start() {
    if (C.active || !enabled()) return;
    C.active = true;
    // Structure and the few attributes that turn an editor on or off; style/class churn on
    // big apps is too frequent to watch, and focusin catches an editor that just appeared.
    observer.observe(document.documentElement, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ["aria-hidden", "hidden", "contenteditable", "src"],
    });
    scan();
  }

  function stop() {
    C.active = false;
    observer.disconnect();
    for (const s of C.sessions.values()) s.destroy();
    C.sessions.clear();
    C.images.clear();
    C.reportCount();
  }

  C.onOrphaned(stop);

  /** @param {Partial<Carelint.Settings>} values */
  function applySettings(values) {
    Object.assign(C.settings, values);
    // A pause ends by itself: check again when it runs out.
    clearTimeout(resumeTimer);
    if (paused()) resumeTimer = setTimeout(() => applySettings({}), Number(C.settings.pausedUntil) - Date.now() + 50);
    if (enabled()) {
      start();
      for (const s of C.sessions.values()) s.queueRender();
      C.reportCount();
    } else stop();
  }

  C.guard.install();

  // The last text field the user focused that no session covers: when a known site renames
  // its composer, the popup says Carelint can't see it instead of silently checking nothing.
  /** @type {Element | null} */
  let unseenField = null;
  /** @param {EventTarget | undefined} t */
  const isTextField = (t) =>
    (t instanceof HTMLTextAreaElement || (t instanceof HTMLElement && (t.isContentEditable || t.getAttribute("role") === "textbox"))) &&
    // a search box is not a composer (Google's is a textarea with role="combobox")
    !(!t.isContentEditable && ["combobox", "searchbox"].includes(t.getAttribute("role") || "")) &&
    !t.closest('[role="search"], form[action*="search"]');
  const covered = (/** @type {Element} */ t) => [...C.sessions.keys()].some((k) => k === t || k.contains(t) || t.contains(k));

  document.addEventListener(
    "focusin",
    (e) => {
      if (!C.active) return;
      queueScan();
      const target = e.composedPath()[0];
      if (!isTextField(target) || /** @type {Element} */ (target).closest("[data-carelint-ui], carelint-ui")) return;
      // Decided after the scan this focus queued, so a composer that just appeared counts as seen.
      setTimeout(() => {
        unseenField = target instanceof Element && !covered(target) ? target : null;
      }, 200);
    },
    true,
  );

  /** @returns {Carelint.TabInfo["composer"]} */
  function composerState() {
    const live = [...C.sessions.values()].filter((s) => s.adapter.el.isConnected);
    if (unseenField && unseenField.isConnected && C.dom.isVisible(unseenField) && !covered(unseenField)) return "unseen";
    if (!live.length) return "none";
    return live.some((s) => !C.submitFor(s)) ? "no-submit" : "found";
  }

  // Tab in a composer goes to its chip ("N issues", "+ Disclaimer") before the site's Post.
  document.addEventListener(
    "keydown",
    (e) => {
      if (!C.active || e.key !== "Tab" || e.shiftKey || e.altKey || e.ctrlKey || e.metaKey) return;
      const path = e.composedPath();
      const session = [...C.sessions.values()].find((s) => path.includes(s.adapter.el));
      const first = session && session.chip.controls()[0];
      if (!first) return;
      e.preventDefault();
      e.stopPropagation();
      first.focus();
    },
    true,
  );

  // Alt+ArrowDown in a composer opens the card of the finding at the caret.
  document.addEventListener(
    "keydown",
    (e) => {
      if (!C.active || !e.altKey || e.key !== "ArrowDown") return;
      const path = e.composedPath();
      const session = [...C.sessions.values()].find((s) => path.includes(s.adapter.el));
      if (!session || !session.visibleFindings().length) return;
      e.preventDefault();
      e.stopPropagation();
      session.openCardAtCaret();
    },
    true,
  );

  chrome.storage.onChanged.addListener((changes, area) => {
    if (area !== "local") return;
    /** @type {Record<string, any>} */
    const values = {};
    for (const [k, v] of Object.entries(changes)) values[k] = v.newValue;
    if ("serverUrl" in values || "token" in values) {
      for (const s of C.sessions.values()) {
        s.cache.clear();
        s.schedule(0);
      }
      C.images.recheck();
    }
    applySettings(values);
  });

  // A keyboard shortcut (background.js): on the composer with the focus, else the first one.
  chrome.runtime.onMessage.addListener((msg, _sender, sendResponse) => {
    if (!msg || msg.type !== C.MSG.COMMAND || !C.active) return false;
    const live = [...C.sessions.values()].filter((s) => s.adapter.el.isConnected);
    const session = live.find((s) => s.adapter.hasFocus()) || live[0];
    if (!session) {
      sendResponse(false);
      return false;
    }
    if (msg.command === "open-panel") C.panel.show(session);
    else if (msg.command === "next-issue") session.openNextIssue();
    else if (msg.command === "add-disclaimer") session.appendDisclaimer();
    sendResponse(true);
    return false;
  });

  chrome.runtime.onMessage.addListener((msg, _sender, sendResponse) => {
    if (!msg || msg.type !== C.MSG.TAB_INFO) return false;
    const sessions = [...C.sessions.values()];
    /** @type {Carelint.TabInfo} */
    const info = {
      site: site.id,
      platform: site.platform,
      enabled: enabled(),
      count: C.visibleCount(),
      high: sessions.reduce((n, s) => n + s.highFindings().length, 0) + C.images.highFindings(sessions).length,
      status: sessions.length ? sessions[0].status : "unknown",
      offline: sessions.some((s) => s.offline),
      composer: composerState(),
    };
    sendResponse(info);
    return false;
  });

  const boot = () =>
    chrome.storage.local.get(Object.keys(C.STORAGE_DEFAULTS)).then(
      (values) => applySettings(values),
      () => applySettings({}),
    );
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot, { once: true });
  else boot();
})();
