// @ts-check
// The issues panel: every finding of one composer in a list (severity in words and icon, the
// flagged words, the message), each with its first fix and "Ignore", and for the whole post
// "Fix all safe fixes" and "Dismiss all". Opened from the chip or the "open panel" shortcut;
// a labelled dialog in the top layer, keyboard-first: focus goes into it, Escape or focus
// leaving it closes it and returns focus to the composer.
(() => {
  const C = globalThis.Carelint;
  const { el } = C.ui;
  /** @type {HTMLElement | null} */
  let panel = null;
  /** @type {Carelint.Session | null} */
  let owner = null;
  // A fix needs the editor's focus: while the panel applies fixes, focus leaving it is ours.
  let applying = false;

  /** @param {Carelint.Session} session @param {() => Promise<unknown>} work */
  async function applyThenReturn(session, work) {
    applying = true;
    if (panel) panel.dataset.state = "applying";
    try {
      await work();
    } finally {
      applying = false;
    }
    await session.flush(); // the post is checked again: show what is left
    C.panel.show(session);
  }

  /**
   * A "safe" fix changes only the flagged words (with the label, article or space beside them):
   * never a whole sentence or reply, so applying all of them at once cannot remove what the
   * user meant to say.
   * @param {Carelint.Finding} f @returns {Carelint.Fix | null}
   */
  function safeFix(f) {
    const fix = Array.isArray(f.fixes) ? f.fixes[0] : null;
    if (!fix || typeof fix.start !== "number") return null;
    const wider = f.start - fix.start + (fix.end - f.end);
    return wider <= 12 && !/sentence|reply/i.test(fix.label) ? fix : null;
  }

  function build() {
    const p = el("div", {
      class: "panel",
      popover: "manual",
      role: "dialog",
      "aria-labelledby": "carelint-panel-title",
      tabindex: "-1",
      "data-carelint-panel": "",
    });
    p.addEventListener("keydown", (e) => {
      if (e.key === "Escape") {
        e.stopPropagation();
        C.panel.hide(true);
      }
    });
    p.addEventListener("focusout", () => {
      setTimeout(() => {
        if (applying || !panel || !C.panel.isOpen() || panel.contains(C.ui.root.activeElement) || C.card.isOpen()) return;
        C.panel.hide(false);
      }, 0);
    });
    C.ui.root.append(p);
    panel = p;
    return p;
  }

  /** @param {Carelint.Session} session */
  function render(session) {
    const p = panel || build();
    p.dataset.state = "ready"; // what it lists is the post as last checked
    const hadFocus = p.contains(C.ui.root.activeElement);
    const findings = session.visibleFindings();
    const lang = C.languageOf(findings); // a Spanish post's panel speaks Spanish
    const t = (/** @type {string} */ key, /** @type {Record<string, string | number>} */ vars = {}) => C.t(lang, key, vars);
    const items = findings.map((f) => {
      const words = C.card.describe(f);
      const fix = Array.isArray(f.fixes) && f.fixes.length ? f.fixes[0] : null;
      return el(
        "li",
        { "data-severity": f.severity },
        el("span", { class: "icon", "aria-hidden": "true", text: words.icon }),
        el("strong", { text: `${words.severity}: ${words.category}` }),
        el("q", { text: f.text.length > 60 ? `${f.text.slice(0, 59)}…` : f.text }),
        el("p", { class: "message", text: f.message || "" }),
        el(
          "div",
          { class: "actions" },
          fix
            ? el("button", {
                type: "button",
                class: "fix",
                text: fix.label,
                "aria-label": `${fix.label}: “${f.text}”`,
                onclick: () => applyThenReturn(session, () => session.applyFix(f, fix)),
              })
            : null,
          el("button", {
            type: "button",
            class: "ignore",
            text: t("panel.ignore"),
            "aria-label": t("panel.ignoreLabel", { text: f.text }),
            onclick: () => {
              session.ignore(f);
              render(session);
            },
          }),
        ),
      );
    });
    const safe = findings.filter((f) => safeFix(f));
    p.replaceChildren(
      el("h2", { id: "carelint-panel-title", text: findings.length === 1 ? t("panel.titleOne") : t("panel.title", { count: findings.length }) }),
      findings.length ? el("ul", { class: "issues" }, ...items) : el("p", { text: t("panel.none") }),
      el(
        "div",
        { class: "actions" },
        el("button", {
          type: "button",
          class: "fix-all",
          text: t("panel.fixAll", { count: safe.length }),
          disabled: !safe.length,
          title: t("panel.fixAllTitle"),
          onclick: () =>
            applyThenReturn(session, async () => {
              // From the end of the post backwards, so each fix's offsets are still those of
              // the text before it; each is its own undo step.
              for (const f of [...safe].sort((a, b) => b.start - a.start)) {
                const fix = safeFix(f);
                if (fix) await session.applyFix(f, fix);
              }
            }),
        }),
        el("button", {
          type: "button",
          class: "dismiss-all",
          text: t("panel.dismissAll"),
          disabled: !findings.length,
          onclick: () => {
            for (const f of findings) session.ignore(f);
            render(session);
          },
        }),
        el("button", { type: "button", class: "close", text: t("panel.close"), onclick: () => C.panel.hide(true) }),
      ),
    );
    // Re-listed under the keyboard (Ignore, Dismiss all): the focus stays in the panel.
    if (hadFocus) /** @type {HTMLElement} */ (p.querySelector("button:not([disabled])") || p).focus();
  }

  const PANEL_WIDTH = 380; // as ui.js's .panel
  const MIN_SIDE_WIDTH = 260; // narrower than this, a side panel wraps every message into a column
  /** @param {{left: number, top: number, right: number, bottom: number}} a @param {{left: number, top: number, right: number, bottom: number}} b */
  const overlap = (a, b) =>
    Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left)) * Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));

  /**
   * Where it hides neither the text nor the Post button: beside the composer (narrower when
   * the side has less room, down to MIN_SIDE_WIDTH), else below both the composer and Post,
   * else above the composer; the first spot that covers neither, else the one that covers
   * least (covering Post counts ten times: the user is about to press it).
   * @param {HTMLElement} p @param {Carelint.Session} session
   */
  function place(p, session) {
    const r = session.adapter.rect();
    const submit = C.submitFor(session);
    const post = submit ? submit.getBoundingClientRect() : null;
    const gap = 8;
    p.style.width = "";
    const full = p.offsetWidth || PANEL_WIDTH;
    const h = p.offsetHeight || 200;
    /** @param {number} left @param {number} top @param {number} w */
    const spot = (left, top, w) => {
      const x = Math.max(gap, Math.min(left, window.innerWidth - w - gap));
      const y = Math.max(gap, Math.min(top, window.innerHeight - h - gap));
      return { left: x, top: y, right: x + w, bottom: y + h, width: w };
    };
    const rightRoom = Math.min(full, window.innerWidth - r.right - 2 * gap);
    const leftRoom = Math.min(full, r.left - 2 * gap);
    const spots = [
      ...(rightRoom >= MIN_SIDE_WIDTH ? [spot(r.right + gap, r.top, rightRoom)] : []),
      ...(leftRoom >= MIN_SIDE_WIDTH ? [spot(r.left - leftRoom - gap, r.top, leftRoom)] : []),
      spot(r.left, Math.max(r.bottom, post ? post.bottom : r.bottom) + gap, full),
      spot(r.left, r.top - h - gap, full),
    ];
    const cost = (/** @type {ReturnType<typeof spot>} */ s) => overlap(s, r) + (post ? 10 * overlap(s, post) : 0);
    const best = spots.find((s) => cost(s) === 0) || spots.reduce((a, b) => (cost(b) < cost(a) ? b : a));
    if (best.width !== full) p.style.width = `${best.width}px`;
    p.style.left = `${best.left}px`;
    // Narrower, it may have grown taller: keep its bottom on screen.
    p.style.top = `${Math.max(gap, Math.min(best.top, window.innerHeight - p.offsetHeight - gap))}px`;
  }

  C.panel = {
    safeFix,
    isOpen() {
      return !!panel && panel.matches(":popover-open");
    },
    /** @param {Carelint.Session} session */
    show(session) {
      owner = session;
      render(session);
      const p = /** @type {HTMLElement} */ (panel);
      if (!this.isOpen()) p.showPopover();
      place(p, session);
      const first = p.querySelector("button:not([disabled])");
      if (first instanceof HTMLElement) first.focus();
    },
    /** @param {boolean} refocus */
    hide(refocus) {
      const was = owner;
      owner = null;
      if (panel && this.isOpen()) panel.hidePopover();
      if (refocus && was && was.adapter.el.isConnected) was.adapter.focus();
    },
  };
})();
