// @ts-check
// Which Post control belongs to which composer. The guard holds a post by its Post control and
// replays it there; the issues panel keeps clear of it. (sites.js says what a submit control
// looks like on each site; this finds the one on the page.)
(() => {
  const C = globalThis.Carelint;
  // The composers still on the page (a site may have removed one without telling us).
  C.liveSessions = () => [...C.sessions.values()].filter((s) => s.adapter.el.isConnected);

  // The composer a submit control belongs to: the one sharing the closest container.
  /** @param {Element | null} button @returns {Carelint.Session[]} */
  C.sessionsFor = (button) => {
    const sessions = C.liveSessions();
    if (sessions.length <= 1 || !button) return sessions;
    /** @type {Carelint.Session | null} */
    let best = null;
    let bestDepth = Infinity;
    for (const s of sessions) {
      let depth = 0;
      for (let n = /** @type {Node | null} */ (button); n; n = C.dom.up(n), depth++) {
        if (n.contains(s.adapter.el)) break;
      }
      if (depth < bestDepth) {
        best = s;
        bestDepth = depth;
      }
    }
    return best ? [best] : sessions;
  };

  // The Post control of a composer (the guard replays a held post on it; the panel keeps clear of it).
  /** @param {Carelint.Session} session @returns {HTMLElement | null} */
  C.submitFor = (session) => {
    const site = C.site;
    if (!site) return null;
    for (const rule of site.submit) {
      const selector = typeof rule === "string" ? rule : rule.selector;
      const candidates = C.dom.queryAllDeep(selector, site.shadowHosts).filter(
        /** @returns {b is HTMLElement} */
        (b) => b instanceof HTMLElement && C.dom.isVisible(b) && (typeof rule === "string" || rule.text.test((b.textContent || "").trim())),
      );
      if (candidates.length) {
        return candidates.find((b) => C.sessionsFor(b)[0] === session) || candidates[0];
      }
    }
    return null;
  };
})();
