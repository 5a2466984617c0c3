// Images attached in a composer: a file input's change, a paste or drop of files onto the
// composer, or a preview <img> (blob: or data: URL) the site renders near it. The bytes go
// to the service worker (as a data: URL: messages are JSON), which posts them to the local
// server's /v1/check-image. Results are cached per SHA-256 of the bytes, so re-renders of
// the same preview never re-check. Findings are drawn as boxes over the preview inside
// Carelint's own shadow root (the site's DOM is never touched), a badge counts them, and
// the pre-submit guard counts the high ones like text findings.
(() => {
  const C = globalThis.Carelint;
  const { el } = C.ui;
  const MAX_BYTES = 15 * 1024 * 1024;
  const CACHE_SIZE = 24;
  const NEAR_DEPTH = 8; // ancestors walked from an image to find its composer (no site scope)
  const OFFLINE_RETRY_MS = 10000;
  // Defaults every site shares; sites.js may add a `scope` (the composer's container) and
  // more selectors. Only blob:/data: pictures are the user's own, unsent attachments.
  C.IMAGE_DEFAULTS = {
    inputs: ['input[type="file"]'],
    previews: ['img[src^="blob:"]', 'img[src^="data:image"]'],
  };
  const readable = (src) => /^(blob:|data:image\/)/i.test(src || "");

  const checks = new Map(); // hash -> Check (latest CACHE_SIZE)
  const previews = new Map(); // <img> -> Preview
  const files = new Map(); // hash -> {hash, anchor}: attachments no preview has shown yet
  const ignored = new Set(); // `${hash}\u0000${finding.id}`

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
    return C.sessions ? [...C.sessions.values()].filter((s) => s.adapter.el.isConnected) : [];
  }

  function contains(container, node) {
    for (let n = node; n; n = n.parentNode || n.host) if (n === container) return true;
    return false;
  }

  // The composer session an image, input or drop target belongs to, or null.
  function sessionNear(node) {
    const sessions = liveSessions();
    if (!node || !node.isConnected || !sessions.length) return null;
    const scope = config().scope;
    if (scope) {
      const container = node.closest && node.closest(scope);
      if (container) {
        const s = sessions.find((x) => contains(container, x.adapter.el));
        if (s) return s;
      }
    }
    let depth = 0;
    for (let n = node; n && depth <= NEAR_DEPTH; n = n.parentNode || n.host, depth++) {
      if (n.nodeType !== Node.ELEMENT_NODE) continue;
      const s = sessions.find((x) => contains(n, x.adapter.el));
      if (s) return s;
    }
    return null;
  }

  // --- bytes, hash, check -------------------------------------------------------------

  async function sha256(buffer) {
    if (crypto.subtle) {
      const d = new Uint8Array(await crypto.subtle.digest("SHA-256", buffer));
      return [...d].map((b) => b.toString(16).padStart(2, "0")).join("");
    }
    // Insecure contexts have no SubtleCrypto: two seeded FNV-1a passes are enough for a cache key.
    const bytes = new Uint8Array(buffer);
    let a = 0x811c9dc5;
    let b = 0x01000193 ^ bytes.length;
    for (let i = 0; i < bytes.length; i++) {
      a = Math.imul(a ^ bytes[i], 16777619) >>> 0;
      b = Math.imul(b ^ bytes[bytes.length - 1 - i], 16777619) >>> 0;
    }
    return `fnv-${bytes.length}-${a.toString(16)}-${b.toString(16)}`;
  }

  const dataUrlOf = (blob) =>
    new Promise((resolve, reject) => {
      const r = new FileReader();
      r.onload = () => resolve(r.result);
      r.onerror = () => reject(r.error);
      r.readAsDataURL(blob);
    });

  function remember(hash, check) {
    checks.delete(hash);
    checks.set(hash, check);
    while (checks.size > CACHE_SIZE) {
      const oldest = checks.keys().next().value;
      if ([...previews.values()].some((p) => p.hash === oldest) || files.has(oldest)) break;
      checks.delete(oldest);
    }
  }

  // Hash a blob and make sure a check of its bytes exists (cached, in flight or new).
  async function checkBlob(blob) {
    if (!blob || !/^image\//i.test(blob.type || "image/")) return null;
    if (blob.size > MAX_BYTES) {
      const hash = `too-large-${blob.size}`;
      if (!checks.has(hash)) remember(hash, { hash, state: "too-large", findings: [], promise: Promise.resolve() });
      return hash;
    }
    const hash = await sha256(await blob.arrayBuffer());
    const known = checks.get(hash);
    const stale = known && known.state === "offline" && Date.now() - known.at > OFFLINE_RETRY_MS;
    if (known && !stale) return hash;
    const check = { hash, state: "checking", findings: [], result: null, status: "unknown", at: Date.now() };
    check.promise = dataUrlOf(blob)
      .then((dataUrl) => C.send({ type: C.MSG.CHECK_IMAGE, dataUrl }))
      .then(
        (resp) => {
          check.status = resp.status;
          if (resp.ok && !resp.offline && resp.result) {
            check.state = "done";
            check.result = resp.result;
            check.findings = (resp.result.findings || []).filter((f) => f && typeof f.message === "string");
          } else if (resp.ok) check.state = "offline";
          else check.state = "error";
        },
        () => {
          check.state = "offline";
        },
      )
      .finally(() => {
        check.at = Date.now();
        changed();
      });
    remember(hash, check);
    changed();
    return hash;
  }

  // Bytes behind a preview: blob: URLs are same-origin for the page, so fetch reads them;
  // a canvas copy is the fallback (its bytes differ from the file's, so no cache share).
  async function blobOfImg(img) {
    try {
      const r = await fetch(img.currentSrc || img.src);
      if (r.ok) return await r.blob();
    } catch {
      /* revoked or unreadable: try the pixels */
    }
    if (!img.complete || !img.naturalWidth) {
      await new Promise((resolve, reject) => {
        img.addEventListener("load", resolve, { once: true });
        img.addEventListener("error", reject, { once: true });
        setTimeout(reject, 10000);
      });
    }
    const canvas = document.createElement("canvas");
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    canvas.getContext("2d").drawImage(img, 0, 0);
    return new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  }

  // --- what is shown --------------------------------------------------------------------

  function visible(hash) {
    const check = checks.get(hash);
    if (!check || check.state !== "done") return [];
    const min = C.SEVERITY_RANK[C.settings.minSeverity] || 1;
    return check.findings.filter((f) => !ignored.has(`${hash}\u0000${f.id}`) && (C.SEVERITY_RANK[f.severity] || 0) >= min);
  }

  function badgeText(hash) {
    const check = checks.get(hash);
    if (!check || check.state === "checking") return { text: "Checking image…", level: "checking" };
    if (check.state === "offline") {
      const why = check.status === "unauthorized" ? "wrong token" : "offline";
      return { text: `image not checked (${why})`, level: "offline" };
    }
    if (check.state === "too-large") return { text: "image not checked (over 15 MB)", level: "offline" };
    if (check.state === "error") return { text: "image not checked (unreadable)", level: "offline" };
    const v = visible(hash);
    const highs = v.filter((f) => f.severity === "high").length;
    if (!v.length) return { text: "No image issues", level: "ok" };
    return { text: `${v.length} image issue${v.length === 1 ? "" : "s"}`, level: highs ? "high" : "medium" };
  }

  class Preview {
    constructor(img) {
      this.img = img;
      this.src = img.getAttribute("src");
      this.hash = null;
      this.boxes = el("div", { class: "img-boxes" });
      this.badge = el("button", {
        type: "button",
        class: "img-badge",
        "data-carelint-image-badge": "",
        onclick: () => (imageCard.isOpenFor(this) ? imageCard.hide() : imageCard.show(this, true)),
        onpointerenter: () => imageCard.show(this, false),
        onpointerleave: () => imageCard.hideSoon(),
      });
      this.box = el("div", { class: "img-overlay", "data-carelint-image": "checking" }, this.boxes, this.badge);
      C.ui.layer.append(this.box);
      this.following = C.ui.follow(img, () => this.place(), ["load"]);
      this.schedule = this.following.schedule;
      this.render();
      this.load();
    }

    load() {
      this.failed = false;
      blobOfImg(this.img)
        .then(checkBlob)
        .then((hash) => {
          if (!hash || previews.get(this.img) !== this) return;
          this.hash = hash;
          files.delete(hash); // the preview stands for that attachment from now on
          changed();
        })
        .catch(() => {
          this.failed = true;
          this.render();
        });
    }

    findings() {
      return this.hash ? visible(this.hash) : [];
    }

    render() {
      const { text, level } = this.failed ? { text: "image not checked (unreadable)", level: "offline" } : this.hash ? badgeText(this.hash) : { text: "Checking image…", level: "checking" };
      const v = this.findings();
      this.badge.textContent = text;
      this.badge.dataset.level = level;
      this.badge.dataset.count = String(v.length);
      this.badge.setAttribute("aria-label", `Carelint: ${text}`);
      this.box.dataset.carelintImage = level;
      this.boxes.replaceChildren(
        ...v
          .filter((f) => Array.isArray(f.box) && f.box.length === 4)
          .map((f) => el("div", { class: "img-box", "data-severity": f.severity, "data-finding": f.id, title: f.message })),
      );
      this.place();
      if (imageCard.isOpenFor(this)) imageCard.show(this, false);
    }

    // The picture's content box on screen, and how image pixels map into it (object-fit).
    geometry() {
      const img = this.img;
      const r = img.getBoundingClientRect();
      if (!img.isConnected || !r.width || !r.height || !img.naturalWidth || !img.naturalHeight) return null;
      const cs = getComputedStyle(img);
      const px = (v) => parseFloat(v) || 0;
      const left = r.left + px(cs.borderLeftWidth) + px(cs.paddingLeft);
      const top = r.top + px(cs.borderTopWidth) + px(cs.paddingTop);
      const w = img.clientWidth - px(cs.paddingLeft) - px(cs.paddingRight);
      const h = img.clientHeight - px(cs.paddingTop) - px(cs.paddingBottom);
      const nw = img.naturalWidth;
      const nh = img.naturalHeight;
      let sx = w / nw;
      let sy = h / nh;
      const fit = cs.objectFit;
      if (fit === "contain" || fit === "cover" || fit === "none" || fit === "scale-down") {
        let s = fit === "cover" ? Math.max(sx, sy) : fit === "none" ? 1 : Math.min(sx, sy);
        if (fit === "scale-down") s = Math.min(1, s);
        sx = sy = s;
      }
      // object-position: percentages or pixels (the default is 50% 50%).
      const [posX = "50%", posY = "50%"] = (cs.objectPosition || "").split(/\s+/);
      const at = (pos, free) => (pos.endsWith("%") ? (parseFloat(pos) / 100) * free : px(pos));
      const ox = at(posX, w - nw * sx);
      const oy = at(posY, h - nh * sy);
      return { left, top, w, h, sx, sy, ox, oy, nw, nh };
    }

    place() {
      const g = this.geometry();
      const s = this.box.style;
      if (!g || !C.dom.isVisible(this.img)) {
        s.display = "none";
        return;
      }
      s.display = "block";
      s.left = `${g.left}px`;
      s.top = `${g.top}px`;
      s.width = `${g.w}px`;
      s.height = `${g.h}px`;
      const check = this.hash && checks.get(this.hash);
      const info = check && check.result && check.result.image;
      // Boxes are in the server's image pixels (EXIF-rotated); the browser shows the same
      // orientation, so only the size may differ.
      const kx = info && info.width ? g.nw / info.width : 1;
      const ky = info && info.height ? g.nh / info.height : 1;
      const byId = new Map(this.findings().map((f) => [f.id, f]));
      for (const b of this.boxes.children) {
        const f = byId.get(b.dataset.finding);
        if (!f) continue;
        const [x, y, bw, bh] = f.box;
        b.style.left = `${g.ox + x * kx * g.sx}px`;
        b.style.top = `${g.oy + y * ky * g.sy}px`;
        b.style.width = `${bw * kx * g.sx}px`;
        b.style.height = `${bh * ky * g.sy}px`;
      }
    }

    destroy() {
      this.following.stop();
      this.box.remove();
      if (imageCard.isOpenFor(this)) imageCard.hide();
    }
  }

  // --- the card listing an image's findings --------------------------------------------

  const imageCard = (() => {
    let card = null;
    let owner = null;
    let hideTimer = null;
    const build = () => {
      card = el("div", {
        class: "card image-card",
        popover: "manual",
        role: "dialog",
        "aria-labelledby": "carelint-image-card-title",
        tabindex: "-1",
        "data-carelint-image-card": "",
      });
      card.addEventListener("keydown", (e) => {
        if (e.key === "Escape") {
          e.stopPropagation();
          const was = owner;
          api.hide();
          if (was) was.badge.focus();
        }
      });
      card.addEventListener("pointerenter", () => clearTimeout(hideTimer));
      card.addEventListener("pointerleave", () => api.hideSoon());
      C.ui.root.append(card);
    };
    const api = {
      isOpenFor: (p) => !!card && owner === p && card.matches(":popover-open"),
      show(preview, focus) {
        clearTimeout(hideTimer);
        if (!card) build();
        owner = preview;
        const v = preview.findings();
        const { text } = preview.hash ? badgeText(preview.hash) : { text: "Checking image…" };
        const items = v.map((f) =>
          el(
            "li",
            { "data-severity": f.severity },
            el("span", { class: "sev", "data-severity": f.severity, text: f.severity }),
            document.createTextNode(" "),
            f.text ? el("strong", { text: `“${f.text}” ` }) : null,
            document.createTextNode(f.message),
            el("button", {
              type: "button",
              class: "ignore",
              text: "Ignore",
              title: "Ignore this finding in this image",
              onclick: () => {
                ignored.add(`${preview.hash}\u0000${f.id}`);
                changed();
              },
            }),
          ),
        );
        card.replaceChildren(
          el("h2", { id: "carelint-image-card-title" }, el("span", { class: "category", text: `Carelint · ${text}` })),
          items.length ? el("ul", { class: "image-findings" }, ...items) : null,
          v.length ? el("p", { class: "source", text: "Crop, blur or retake the picture before posting." }) : null,
        );
        if (!card.matches(":popover-open")) card.showPopover();
        // Beside the picture (so the boxes stay visible), else under it, else above it.
        const r = preview.box.getBoundingClientRect();
        const b = preview.badge.getBoundingClientRect();
        const w = card.offsetWidth || 340;
        const h = card.offsetHeight || 160;
        let left;
        let top;
        if (r.right + 8 + w <= window.innerWidth - 8) {
          left = r.right + 8;
          top = Math.min(Math.max(8, b.top), window.innerHeight - h - 8);
        } else {
          left = Math.min(Math.max(8, r.left), window.innerWidth - w - 8);
          top = r.bottom + 6;
          if (top + h > window.innerHeight - 8) top = Math.max(8, r.top - h - 6);
        }
        card.style.left = `${left}px`;
        card.style.top = `${Math.max(8, top)}px`;
        if (focus) (card.querySelector("button") || card).focus();
      },
      hideSoon() {
        clearTimeout(hideTimer);
        hideTimer = setTimeout(() => api.hide(), 350);
      },
      hide() {
        clearTimeout(hideTimer);
        owner = null;
        if (card && card.matches(":popover-open")) card.hidePopover();
      },
    };
    return api;
  })();

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

  // Attachments (deduplicated by hash) belonging to these sessions.
  function attachmentsFor(sessions) {
    const out = new Map();
    const add = (hash, anchor) => {
      if (!hash || out.has(hash)) return;
      const s = sessionNear(anchor);
      if (s && sessions.includes(s)) out.set(hash, { hash, session: s, anchor });
    };
    for (const p of previews.values()) if (p.img.isConnected) add(p.hash, p.img);
    for (const f of files.values()) add(f.hash, f.anchor);
    return [...out.values()];
  }

  async function addFiles(list, anchor) {
    for (const file of list) {
      if (!file || !/^image\//i.test(file.type || "")) continue;
      try {
        const hash = await checkBlob(file);
        // Only until a preview of the same bytes shows up (then the preview stands for it).
        if (hash && ![...previews.values()].some((p) => p.hash === hash)) files.set(hash, { hash, anchor, blob: file });
        changed();
      } catch {
        /* unreadable file: nothing to check */
      }
    }
  }

  function onFiles(e, list, target) {
    if (!C.active || !list || !list.length) return;
    const files_ = [...list]; // read while the event lasts: DataTransfer empties afterwards
    if (!sessionNear(target)) return;
    addFiles(files_, target);
  }

  document.addEventListener(
    "change",
    (e) => {
      const t = e.composedPath()[0];
      if (!(t instanceof HTMLInputElement) || t.type !== "file" || !t.matches(config().inputs)) return;
      onFiles(e, t.files, t);
    },
    true,
  );
  // Paste and drop: read the files, never prevent the site's own handling.
  document.addEventListener("paste", (e) => onFiles(e, e.clipboardData && e.clipboardData.files, e.composedPath()[0]), true);
  document.addEventListener("drop", (e) => onFiles(e, e.dataTransfer && e.dataTransfer.files, e.composedPath()[0]), true);

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
      if (!liveSessions().length) return;
      const { previews: selector } = config();
      for (const img of C.dom.queryAllDeep(selector, C.site.shadowHosts)) {
        if (previews.has(img) || img.tagName !== "IMG" || !readable(img.getAttribute("src")) || !sessionNear(img)) continue;
        previews.set(img, new Preview(img));
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
      for (const [hash, c] of checks) if (c.state !== "done" && c.state !== "checking") checks.delete(hash);
      for (const p of previews.values()) if (!p.hash || !checks.has(p.hash)) p.load();
      for (const f of files.values()) if (!checks.has(f.hash)) checkBlob(f.blob).catch(() => {});
      changed();
    },

    visibleCount() {
      const hashes = new Set(attachmentsFor(liveSessions()).map((a) => a.hash));
      return [...hashes].reduce((n, h) => n + visible(h).length, 0);
    },

    pending(sessions) {
      return attachmentsFor(sessions).some((a) => {
        const c = checks.get(a.hash);
        return c && c.state === "checking";
      }) || [...previews.values()].some((p) => !p.hash && !p.failed && sessions.includes(sessionNear(p.img)));
    },

    async flush(sessions, timeout) {
      const deadline = Date.now() + timeout;
      while (this.pending(sessions) && Date.now() < deadline) {
        const waits = attachmentsFor(sessions).map((a) => checks.get(a.hash)).filter((c) => c && c.state === "checking").map((c) => c.promise);
        await Promise.race([Promise.all(waits), new Promise((r) => setTimeout(r, waits.length ? deadline - Date.now() : 100))]);
      }
    },

    highFindings(sessions) {
      const out = [];
      for (const a of attachmentsFor(sessions)) {
        for (const f of visible(a.hash)) if (f.severity === "high") out.push({ session: a.session, finding: f, image: a });
      }
      return out;
    },

    // "Review" in the guard: show the picture and open its card.
    review(item) {
      const p = [...previews.values()].find((x) => x.hash === item.image.hash);
      if (!p) return item.session.adapter.focus();
      p.img.scrollIntoView({ block: "nearest" });
      p.place();
      imageCard.show(p, true);
    },

    get previews() {
      return previews;
    },
  };
})();
