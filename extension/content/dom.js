// Small DOM helpers shared by the adapters and the UI. Nothing here edits a page.
(() => {
  const C = globalThis.Carelint;

  const dom = {
    // Elements matching `selector` in the document and in the open shadow roots of the
    // hosts a site declares (LinkedIn keeps its share box in #interop-outlet's shadow root).
    queryAllDeep(selector, shadowHosts = []) {
      const found = [...document.querySelectorAll(selector)];
      for (const hostSel of shadowHosts) {
        for (const host of document.querySelectorAll(hostSel)) {
          const root = host.shadowRoot || (chrome.dom && chrome.dom.openOrClosedShadowRoot && chrome.dom.openOrClosedShadowRoot(host));
          if (root) found.push(...root.querySelectorAll(selector));
        }
      }
      return found;
    },

    isVisible(el) {
      if (!el.isConnected || el.getClientRects().length === 0) return false;
      for (let n = el; n; n = n.parentNode || n.host) {
        if (n.nodeType === Node.ELEMENT_NODE && n.getAttribute("aria-hidden") === "true") return false;
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

    nextFrame: () => new Promise((r) => requestAnimationFrame(() => r())),
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
        const finish = (v) => {
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
