// @ts-check
// Pictures, part 3 of 3: which pictures belong to a composer. A file input's change, a paste
// or drop of files onto the composer, or a preview <img> (blob: or data: URL) the site renders
// near it; each gets checked (content/images/cache.js) and each preview an overlay
// (content/images/overlay.js). The pre-submit guard counts the high findings like text ones
// through C.images.
(() => {
  const C = globalThis.Carelint;
  const checks = C.imageChecks;
  const NEAR_DEPTH = 8; // ancestors walked from an image to find its composer (no site scope)
  // Defaults every site shares; sites.js may add a `scope` (the composer's container) and
  // more selectors. Only blob:/data: pictures are the user's own, unsent attachments.
  C.IMAGE_DEFAULTS = {
    inputs: ['input[type="file"]'],
    previews: ['img[src^="blob:"]', 'img[src^="data:image"]'],
  };
  /** @param {string | null} src */
  const readable = (src) => /^(blob:|data:image\/)/i.test(src || "");

  /** @type {Map<HTMLImageElement, Carelint.ImagePreview>} */
  const previews = new Map();
  /** @type {Map<string, {hash: string, anchor: Node, blob: Blob}>} attachments no preview has shown yet */
  const files = new Map();

  const config = () => {
    const s = (C.site && C.site.images) || {};
    return {
      scope: s.scope || null,
      inputs: [...(s.inputs || []), ...C.IMAGE_DEFAULTS.inputs].join(", "),
      previews: [...(s.previews || []), ...C.IMAGE_DEFAULTS.previews].join(", "),
    };
  };

  // --- composer association ---------------------------------------------------------

  function liveSessions() {
    return [...C.sessions.values()].filter((s) => s.adapter.el.isConnected);
  }

  /** @param {Node} container @param {Node} node */
  function contains(container, node) {
    for (let n = /** @type {Node | null} */ (node); n; n = C.dom.up(n)) if (n === container) return true;
    return false;
  }

  // The composer session an image, input or drop target belongs to, or null.
  /** @param {Node | null} node @returns {Carelint.Session | null} */
  function sessionNear(node) {
    const sessions = liveSessions();
    if (!node || !node.isConnected || !sessions.length) return null;
    const scope = config().scope;
    if (scope && node instanceof Element) {
      const container = node.closest(scope);
      if (container) {
        const s = sessions.find((x) => contains(container, x.adapter.el));
        if (s) return s;
      }
    }
    let depth = 0;
    for (let n = /** @type {Node | null} */ (node); n && depth <= NEAR_DEPTH; n = C.dom.up(n), depth++) {
      if (n.nodeType !== Node.ELEMENT_NODE) continue;
      const container = n;
      const s = sessions.find((x) => contains(container, x.adapter.el));
      if (s) return s;
    }
    return null;
  }

  // --- bookkeeping ------------------------------------------------------------------------

  let renderQueued = false;
  function changed() {
    if (renderQueued) return;
    renderQueued = true;
    requestAnimationFrame(() => {
      renderQueued = false;
      for (const p of previews.values()) p.render();
      C.reportCount();
    });
  }
  checks.onChange(changed);
  checks.keepWhile((hash) => [...previews.values()].some((p) => p.hash === hash) || files.has(hash));

  /** @param {HTMLImageElement} img */
  function addPreview(img) {
    const preview = new C.ImagePreview(img, (hash) => {
      files.delete(hash); // the preview stands for that attachment from now on
      changed();
    });
    previews.set(img, preview);
  }

  // Attachments (deduplicated by hash) belonging to these sessions.
  /** @param {Carelint.Session[]} sessions @returns {Carelint.ImageAttachment[]} */
  function attachmentsFor(sessions) {
    /** @type {Map<string, Carelint.ImageAttachment>} */
    const out = new Map();
    /** @param {string | null} hash @param {Node} anchor */
    const add = (hash, anchor) => {
      if (!hash || out.has(hash)) return;
      const s = sessionNear(anchor);
      if (s && sessions.includes(s)) out.set(hash, { hash, session: s, anchor });
    };
    for (const p of previews.values()) if (p.img.isConnected) add(p.hash, p.img);
    for (const f of files.values()) add(f.hash, f.anchor);
    return [...out.values()];
  }

  /** @param {File[]} list @param {Node} anchor */
  async function addFiles(list, anchor) {
    for (const file of list) {
      if (!file || !/^image\//i.test(file.type || "")) continue;
      try {
        const hash = await checks.check(file);
        // Only until a preview of the same bytes shows up (then the preview stands for it).
        if (hash && ![...previews.values()].some((p) => p.hash === hash)) files.set(hash, { hash, anchor, blob: file });
        changed();
      } catch {
        /* unreadable file: nothing to check */
      }
    }
  }

  /** @param {FileList | null | undefined} list @param {EventTarget | undefined} target */
  function onFiles(list, target) {
    if (!C.active || !list || !list.length || !(target instanceof Node)) return;
    const files_ = [...list]; // read while the event lasts: DataTransfer empties afterwards
    if (!sessionNear(target)) return;
    addFiles(files_, target);
  }

  document.addEventListener(
    "change",
    (e) => {
      const t = e.composedPath()[0];
      if (!(t instanceof HTMLInputElement) || t.type !== "file" || !t.matches(config().inputs)) return;
      onFiles(t.files, t);
    },
    true,
  );
  // Paste and drop: read the files, never prevent the site's own handling.
  document.addEventListener("paste", (e) => onFiles(e.clipboardData && e.clipboardData.files, e.composedPath()[0]), true);
  document.addEventListener("drop", (e) => onFiles(e.dataTransfer && e.dataTransfer.files, e.composedPath()[0]), true);

  C.images = {
    // Called from main.js's scan (MutationObserver): previews that appeared or went away.
    scan() {
      for (const [img, p] of previews) {
        if (!img.isConnected || img.getAttribute("src") !== p.src || !sessionNear(img)) {
          p.destroy();
          previews.delete(img);
          changed();
        }
      }
      for (const [hash, f] of files) if (!sessionNear(f.anchor)) files.delete(hash);
      if (!liveSessions().length || !C.site) return;
      const { previews: selector } = config();
      for (const img of C.dom.queryAllDeep(selector, C.site.shadowHosts)) {
        if (!(img instanceof HTMLImageElement) || previews.has(img) || !readable(img.getAttribute("src")) || !sessionNear(img)) continue;
        addPreview(img);
      }
    },

    clear() {
      for (const p of previews.values()) p.destroy();
      previews.clear();
      files.clear();
      C.reportCount();
    },

    // After a token or server change: check again the pictures that were not checked.
    recheck() {
      checks.forgetUnanswered();
      for (const p of previews.values()) if (!p.hash || !checks.get(p.hash)) p.load();
      for (const f of files.values()) if (!checks.get(f.hash)) checks.check(f.blob).catch(() => {});
      changed();
    },

    visibleCount() {
      const hashes = new Set(attachmentsFor(liveSessions()).map((a) => a.hash));
      return [...hashes].reduce((n, h) => n + checks.visible(h).length, 0);
    },

    pending(sessions) {
      return (
        attachmentsFor(sessions).some((a) => {
          const c = checks.get(a.hash);
          return !!c && c.state === "checking";
        }) ||
        [...previews.values()].some((p) => {
          if (p.hash || p.failed) return false;
          const s = sessionNear(p.img);
          return !!s && sessions.includes(s);
        })
      );
    },

    async flush(sessions, timeout) {
      const deadline = Date.now() + timeout;
      while (this.pending(sessions) && Date.now() < deadline) {
        const waits = attachmentsFor(sessions)
          .map((a) => checks.get(a.hash))
          .filter((c) => !!c && c.state === "checking")
          .map((c) => /** @type {Carelint.ImageCheck} */ (c).promise);
        await Promise.race([Promise.all(waits), new Promise((r) => setTimeout(r, waits.length ? deadline - Date.now() : 100))]);
      }
    },

    highFindings(sessions) {
      /** @type {Carelint.ImageGuardItem[]} */
      const out = [];
      for (const a of attachmentsFor(sessions)) {
        for (const f of checks.visible(a.hash)) if (f.severity === "high") out.push({ session: a.session, finding: f, image: a });
      }
      return out;
    },

    // "Review" in the guard: show the picture and open its card.
    review(item) {
      const p = [...previews.values()].find((x) => x.hash === item.image.hash);
      if (!p) return item.session.adapter.focus();
      p.img.scrollIntoView({ block: "nearest" });
      p.place();
      p.openCard(true);
    },

    get previews() {
      return previews;
    },
  };

  C.addFindingCounter(() => C.images.visibleCount());
})();
