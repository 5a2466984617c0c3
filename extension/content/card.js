// The hover card: what a finding is, why, where the rule comes from, and one-click fixes.
// It lives in Carelint's shadow root as a manual popover (top layer, so the site's stacking
// contexts cannot hide it), is a labelled dialog, and is reachable from the keyboard:
// Alt+ArrowDown in a composer opens the card of the finding at the caret, Escape closes it
// and returns focus to the editor.
(() => {
  const C = globalThis.Carelint;
  const { el } = C.ui;
  const CATEGORY = { phi: "PHI", claim: "Unsupported claim", advice: "Personal medical advice", tone: "Tone", language: "Language" };

  let card = null;
  let current = null; // {session, finding}
  let hideTimer = null;

  function build() {
    card = el("div", {
      class: "card",
      popover: "manual",
      role: "dialog",
      "aria-labelledby": "carelint-card-title",
      "aria-describedby": "carelint-card-message",
      tabindex: "-1",
      "data-carelint-card": "",
    });
    card.addEventListener("keydown", (e) => {
      if (e.key === "Escape") {
        e.stopPropagation();
        C.card.hide(true);
      }
    });
    card.addEventListener("pointerenter", () => clearTimeout(hideTimer));
    card.addEventListener("pointerleave", () => C.card.hideSoon());
    C.ui.root.append(card);
    return card;
  }

  function position(rect) {
    const w = card.offsetWidth || 340;
    const h = card.offsetHeight || 160;
    let left = Math.min(Math.max(8, rect.left), window.innerWidth - w - 8);
    let top = rect.bottom + 6;
    if (top + h > window.innerHeight - 8) top = Math.max(8, rect.top - h - 6);
    card.style.left = `${left}px`;
    card.style.top = `${top}px`;
  }

  function note(text) {
    const n = card.querySelector(".note");
    if (n) n.textContent = text;
  }

  C.card = {
    get element() {
      return card;
    },
    get current() {
      return current;
    },
    isOpen() {
      return !!card && card.matches(":popover-open");
    },
    contains(node) {
      return !!card && (node === card || card.contains(node));
    },

    show(session, finding, rect, { focus = false } = {}) {
      clearTimeout(hideTimer);
      if (!card) build();
      current = { session, finding };
      const category = CATEGORY[finding.category] || finding.category;
      const actions = [];
      for (const s of finding.suggestions || []) {
        actions.push(
          el("button", {
            type: "button",
            class: "suggestion",
            "data-suggestion": s,
            "aria-label": `Replace with ${s}`,
            text: s,
            onclick: async () => {
              const ok = await session.applySuggestion(finding, s);
              if (ok) C.card.hide(false);
              else note("The editor did not accept the change; nothing was modified.");
            },
          }),
        );
      }
      actions.push(
        el("button", {
          type: "button",
          class: "ignore",
          text: "Ignore",
          title: "Ignore this finding in this post",
          onclick: () => {
            session.ignore(finding);
            C.card.hide(true);
          },
        }),
      );
      if (finding.category === "phi" && !finding.offline) {
        actions.push(
          el("button", {
            type: "button",
            class: "allowlist",
            text: "Not PHI: add to allowlist",
            title: "Add to the organisation's staff allowlist (Carelint settings)",
            onclick: async () => {
              const r = await session.allowlist(finding);
              if (r.ok) C.card.hide(true);
              else note(`Could not update the allowlist: ${r.error}`);
            },
          }),
        );
      }
      const meta = session.meta;
      if (meta && meta.disclaimer && meta.disclaimer.needed && meta.disclaimer.suggested) {
        actions.push(
          el("button", {
            type: "button",
            class: "disclaimer",
            text: "Add disclaimer",
            title: meta.disclaimer.suggested,
            onclick: async () => {
              const r = await session.appendDisclaimer();
              if (r.ok) C.card.hide(false);
              else note(r.reason);
            },
          }),
        );
      }
      card.replaceChildren(
        el(
          "h2",
          { id: "carelint-card-title" },
          el("span", { class: "sev", "data-severity": finding.severity, text: finding.severity }),
          el("span", { class: "category", text: category }),
          finding.offline ? el("span", { class: "offline", text: "· offline check" }) : null,
        ),
        el("p", { id: "carelint-card-message", class: "message", text: finding.message || "" }),
        finding.source ? el("p", { class: "source", text: `Source: ${finding.source}` }) : null,
        el("div", { class: "actions", role: "group", "aria-label": "Fixes" }, ...actions),
        el("p", { class: "note", role: "status", "aria-live": "polite" }),
      );
      if (!this.isOpen()) card.showPopover();
      position(rect);
      if (focus) (card.querySelector("button") || card).focus();
    },

    hideSoon() {
      clearTimeout(hideTimer);
      hideTimer = setTimeout(() => this.hide(false), 350);
    },

    hide(refocus) {
      clearTimeout(hideTimer);
      const was = current;
      current = null;
      if (card && this.isOpen()) card.hidePopover();
      if (refocus && was && was.session.adapter.el.isConnected) was.session.adapter.focus();
    },
  };

  // Hover: hit-test the pointer against the highlight ranges (rAF-throttled).
  let pending = null;
  document.addEventListener(
    "pointermove",
    (e) => {
      if (pending) {
        pending = { x: e.clientX, y: e.clientY, path: e.composedPath() };
        return;
      }
      pending = { x: e.clientX, y: e.clientY, path: e.composedPath() };
      requestAnimationFrame(() => {
        const p = pending;
        pending = null;
        if (card && p.path.includes(card)) return;
        const hit = C.highlighter.hitTest(p.x, p.y);
        if (hit) {
          const same = current && current.finding === hit.entry.finding;
          if (!same) C.card.show(hit.owner, hit.entry.finding, hit.rect);
          else clearTimeout(hideTimer);
        } else if (C.card.isOpen() && !(document.activeElement && card.contains(C.ui.root.activeElement))) {
          C.card.hideSoon();
        }
      });
    },
    { passive: true, capture: true },
  );
})();
