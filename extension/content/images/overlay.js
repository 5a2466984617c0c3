// @ts-check
// Pictures, part 2 of 3: what is drawn over a preview <img>, inside Carelint's own shadow
// root (the site's DOM is never touched): one box per located finding (object-fit aware), a
// badge that counts them, and the shared card (content/card.js) listing them when the badge
// is hovered or activated.
(() => {
  const C = globalThis.Carelint;
  const { el } = C.ui;
  const checks = C.imageChecks;

  /** @param {string} hash @returns {{text: string, level: string}} */
  function badgeText(hash) {
    const check = checks.get(hash);
    if (!check || check.state === "checking") return { text: "Checking image…", level: "checking" };
    if (check.state === "offline") {
      const why = check.status === "unauthorized" ? "wrong token" : "offline";
      return { text: `image not checked (${why})`, level: "offline" };
    }
    if (check.state === "too-large") return { text: "image not checked (over 15 MB)", level: "offline" };
    if (check.state === "error") return { text: "image not checked (unreadable)", level: "offline" };
    const v = checks.visible(hash);
    const highs = v.filter((f) => f.severity === "high").length;
    if (!v.length) return { text: "No image issues", level: "ok" };
    return { text: `${v.length} image issue${v.length === 1 ? "" : "s"}`, level: highs ? "high" : "medium" };
  }

  /** @implements {Carelint.ImagePreview} */
  class Preview {
    /**
     * @param {HTMLImageElement} img
     * @param {(hash: string) => void} onHash called once the picture's bytes are hashed
     */
    constructor(img, onHash) {
      this.img = img;
      this.src = img.getAttribute("src");
      /** @type {string | null} */
      this.hash = null;
      this.failed = false;
      this.destroyed = false;
      this.onHash = onHash;
      this.boxes = el("div", { class: "img-boxes" });
      this.badge = el("button", {
        type: "button",
        class: "img-badge",
        "data-carelint-image-badge": "",
        onclick: () => (C.card.isOpenFor(this) ? C.card.hide(false) : this.openCard(true)),
        onpointerenter: () => this.openCard(false),
        onpointerleave: () => C.card.hideSoon(),
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
      checks
        .bytesOf(this.img)
        .then(checks.check)
        .then((hash) => {
          if (!hash || this.destroyed) return;
          this.hash = hash;
          this.onHash(hash);
        })
        .catch(() => {
          this.failed = true;
          this.render();
        });
    }

    findings() {
      return this.hash ? checks.visible(this.hash) : [];
    }

    status() {
      if (this.failed) return { text: "image not checked (unreadable)", level: "offline" };
      return this.hash ? badgeText(this.hash) : { text: "Checking image…", level: "checking" };
    }

    render() {
      const { text, level } = this.status();
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
      if (C.card.isOpenFor(this)) this.openCard(false);
    }

    // The picture's content box on screen, and how image pixels map into it (object-fit).
    geometry() {
      const img = this.img;
      const r = img.getBoundingClientRect();
      if (!img.isConnected || !r.width || !r.height || !img.naturalWidth || !img.naturalHeight) return null;
      const cs = getComputedStyle(img);
      /** @param {string} v */
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
      /** @param {string} pos @param {number} free */
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
      const check = this.hash ? checks.get(this.hash) : undefined;
      const info = check && check.result && check.result.image;
      // Boxes are in the server's image pixels (EXIF-rotated); the browser shows the same
      // orientation, so only the size may differ.
      const kx = info && info.width ? g.nw / info.width : 1;
      const ky = info && info.height ? g.nh / info.height : 1;
      const byId = new Map(this.findings().map((f) => [f.id, f]));
      for (const b of /** @type {HTMLCollectionOf<HTMLElement>} */ (this.boxes.children)) {
        const f = byId.get(b.dataset.finding || "");
        if (!f || !f.box) continue;
        const [x, y, bw, bh] = f.box;
        b.style.left = `${g.ox + x * kx * g.sx}px`;
        b.style.top = `${g.oy + y * ky * g.sy}px`;
        b.style.width = `${bw * kx * g.sx}px`;
        b.style.height = `${bh * ky * g.sy}px`;
      }
    }

    // The shared card, listing this picture's findings, each with "Ignore".
    /** @param {boolean} focus */
    openCard(focus) {
      const hash = this.hash;
      const v = this.findings();
      const { text } = this.status();
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
              if (hash) checks.ignore(hash, f.id);
            },
          }),
        ),
      );
      C.card.open({
        owner: this,
        className: "image-card",
        labelledBy: "carelint-image-card-title",
        content: [
          el("h2", { id: "carelint-image-card-title" }, el("span", { class: "category", text: `Carelint · ${text}` })),
          items.length ? el("ul", { class: "image-findings" }, ...items) : null,
          v.length ? el("p", { class: "source", text: "Crop, blur or retake the picture before posting." }) : null,
        ],
        anchor: this.badge.getBoundingClientRect(),
        beside: this.box.getBoundingClientRect(),
        focus,
        returnFocus: () => this.badge.focus(),
      });
    }

    destroy() {
      this.destroyed = true;
      this.following.stop();
      this.box.remove();
      if (C.card.isOpenFor(this)) C.card.hide(false);
    }
  }

  C.ImagePreview = Preview;
})();
