// @ts-check
// Small DOM helpers shared by the adapters and the UI. Nothing here edits a page.
(() => {
  const C = globalThis.Carelint;

  // Closed shadow roots too, where the browser lets extensions see them (chrome.dom exists in
  // content scripts only, not in the tests' plain pages).
  /** @param {Element} host @returns {ShadowRoot | null} */
  function closedShadowRoot(host) {
    const api = /** @type {{openOrClosedShadowRoot?: (el: HTMLElement) => ShadowRoot | null} | undefined} */ (
      globalThis.chrome && chrome.dom
    );
    return api && api.openOrClosedShadowRoot && host instanceof HTMLElement ? api.openOrClosedShadowRoot(host) : null;
  }

  /** @type {Carelint.Dom} */
  const dom = {
    // Elements matching `selector` in the document and in the open shadow roots of the
    // hosts a site declares (LinkedIn keeps its share box in #interop-outlet's shadow root).
    queryAllDeep(selector, shadowHosts = []) {
      const found = [...document.querySelectorAll(selector)];
      for (const hostSel of shadowHosts) {
        for (const host of document.querySelectorAll(hostSel)) {
          const root = host.shadowRoot || closedShadowRoot(host);
          if (root) found.push(...root.querySelectorAll(selector));
        }
      }
      return found;
    },

    // A node's parent, or the host of the shadow root it is the top of (composed tree).
    up(node) {
      return node.parentNode || (node instanceof ShadowRoot ? node.host : null);
    },

    isVisible(el) {
      if (!el.isConnected || el.getClientRects().length === 0) return false;
      for (let n = /** @type {Node | null} */ (el); n; n = dom.up(n)) {
        if (n instanceof Element && n.getAttribute("aria-hidden") === "true") return false;
      }
      return true;
    },

    // Selection object that sees inside the element's shadow tree.
    selectionFor(el) {
      const root = el.getRootNode();
      if (root instanceof ShadowRoot && typeof root.getSelection === "function") return root.getSelection();
      return document.getSelection();
    },

    deepActiveElement() {
      let a = document.activeElement;
      while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
      return a;
    },

    // The first element Tab would reach after `el` in the page (document order; the page's own
    // positive tabindex values are rare on these sites and not honoured here).
    nextTabbable(el) {
      const all = document.querySelectorAll(
        'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"]), [contenteditable="true"]',
      );
      for (const c of all) {
        if (!(c instanceof HTMLElement) || el.contains(c) || c.contains(el) || c.tabIndex < 0 || !dom.isVisible(c)) continue;
        if (el.compareDocumentPosition(c) & Node.DOCUMENT_POSITION_FOLLOWING) return c;
      }
      return null;
    },

    nextFrame: () => new Promise((r) => requestAnimationFrame(() => r(undefined))),
    macrotask: () => new Promise((r) => setTimeout(r, 0)),

    // Resolve when the next selectionchange has been dispatched (editors sync their own
    // selection model from it), or after `timeout` ms if the browser saw no change.
    selectionSettled(timeout = 120) {
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          document.removeEventListener("selectionchange", done);
          setTimeout(resolve, 0); // let the editor's own selectionchange handler run first
        };
        const timer = setTimeout(done, timeout);
        document.addEventListener("selectionchange", done);
      });
    },

    // Poll `cond` on DOM mutations under `target` and on animation frames, up to `timeout`.
    waitFor(cond, target, timeout = 1500) {
      return new Promise((resolve) => {
        if (cond()) return resolve(true);
        let finished = false;
        const finish = (/** @type {boolean} */ v) => {
          if (finished) return;
          finished = true;
          obs.disconnect();
          clearTimeout(timer);
          resolve(v);
        };
        const check = () => {
          if (!finished && cond()) finish(true);
        };
        const obs = new MutationObserver(check);
        obs.observe(target, { childList: true, subtree: true, characterData: true, attributes: true });
        const tick = () => {
          if (finished) return;
          check();
          requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
        const timer = setTimeout(() => finish(cond()), timeout);
      });
    },
  };
  C.dom = dom;
})();
