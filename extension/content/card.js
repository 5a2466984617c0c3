// @ts-check
// The card: what a finding is, why, where the rule comes from, and one-click fixes. One card
// serves the text findings (hovered in a composer) and a picture's findings (its badge, see
// content/images/overlay.js): it lives in Carelint's shadow root as a manual popover (top
// layer, so the site's stacking contexts cannot hide it), is a labelled dialog, and is
// reachable from the keyboard: Alt+ArrowDown in a composer opens the card of the finding at
// the caret, Escape closes it and returns focus where the card came from.
(() => {
  const C = globalThis.Carelint;
  const { el } = C.ui;
  const { SEVERITY_ICONS: ICON, t } = C;

  // PHI types that name a person: the only ones "This is our staff" can apply to.
  const STAFF_TYPES = new Set(["PERSON", "NAME_CAPS", "NAME_GUESS", "LABELLED_NAME", "PERSON_INITIALS", "HANDLE"]);

  /** @type {HTMLElement | null} */
  let card = null;
  /** @type {Carelint.CardOpening | null} what the card shows now */
  let shown = null;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let hideTimer;
  // How long after the card takes the focus an editor taking it back is not the user leaving.
  const FOCUS_HOLD_MS = 400;
  let focusHeldUntil = 0;

  function build() {
    const c = el("div", { class: "card", popover: "manual", role: "dialog", tabindex: "-1", "data-carelint-card": "" });
    c.addEventListener("keydown", (e) => {
      if (e.key === "Escape") {
        e.stopPropagation();
        C.card.hide(true);
      }
    });
    // Focus leaving the card (Tab past its last button, a click on the page) closes it; a
    // button the card itself hides (the staff confirmation) hands focus on within the card.
    c.addEventListener("focusout", () => {
      setTimeout(() => {
        if (!card || !C.card.isOpen() || card.contains(C.ui.root.activeElement)) return;
        // Just after the card took the focus ("Review" in the pre-submit check), an editor may
        // take it back in its own selection update (Lexical does, a moment later): that is not
        // the user leaving the card, so the focus goes back to it.
        const active = document.activeElement;
        if (performance.now() < focusHeldUntil && active && shown?.session?.adapter.contains(active)) {
          (/** @type {HTMLElement | null} */ (card.querySelector("button")) || card).focus();
          return;
        }
        C.card.hide(false);
      }, 0);
    });
    c.addEventListener("pointerenter", () => clearTimeout(hideTimer));
    c.addEventListener("pointerleave", () => C.card.hideSoon());
    C.ui.root.append(c);
    card = c;
    return c;
  }

  // Beside `beside` when there is room (a picture: its boxes stay visible), else under the
  // anchor (or `beside`), else above it.
  /** @param {HTMLElement} c @param {DOMRect} anchor @param {DOMRect} [beside] */
  function position(c, anchor, beside) {
    const w = c.offsetWidth || 340;
    const h = c.offsetHeight || 160;
    let left;
    let top;
    if (beside && beside.right + 8 + w <= window.innerWidth - 8) {
      left = beside.right + 8;
      top = Math.min(Math.max(8, anchor.top), window.innerHeight - h - 8);
    } else {
      const r = beside || anchor;
      left = Math.min(Math.max(8, r.left), window.innerWidth - w - 8);
      top = r.bottom + 6;
      if (top + h > window.innerHeight - 8) top = Math.max(8, r.top - h - 6);
    }
    c.style.left = `${left}px`;
    c.style.top = `${Math.max(8, top)}px`;
  }

  /** @param {string} text */
  function note(text) {
    const n = card && card.querySelector(".note");
    if (n) n.textContent = text;
  }

  /** @param {string} text @param {number} [max] */
  const excerpt = (text, max = 80) => (text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text);

  // What a fix button says to assistive tech and on hover: its label and the new text (or,
  // for a deletion, what goes).
  /** @param {Carelint.Finding} finding @param {Carelint.Fix} fix */
  function fixDescription(finding, fix) {
    if (fix.text) return fix.label.includes(fix.text) ? fix.label : `${fix.label}: “${fix.text}”`;
    const gone = (finding.checked || "").slice(fix.start, fix.end).trim();
    return gone ? t(finding.lang, "card.deletes", { label: fix.label, text: excerpt(gone, 120) }) : fix.label;
  }

  /** @param {unknown} value @returns {value is Carelint.Fix} */
  const isFix = (value) => {
    const f = /** @type {Carelint.Fix} */ (value);
    return !!f && typeof f.label === "string" && typeof f.text === "string" && Number.isInteger(f.start) && Number.isInteger(f.end);
  };

  // One button per ranged fix; an older server without `fixes` still gets its suggestions.
  /** @param {Carelint.Session} session @param {Carelint.Finding} finding */
  function fixButtons(session, finding) {
    if (!Array.isArray(finding.fixes)) return suggestionButtons(session, finding);
    return finding.fixes.filter(isFix).map((fix, i) => {
      const described = fixDescription(finding, fix);
      return el("button", {
        type: "button",
        class: "fix",
        "data-fix-index": i,
        "aria-label": described,
        title: described,
        text: fix.label,
        onclick: async () => {
          const r = await session.applyFix(finding, fix);
          if (r.ok) C.card.hide(false);
          else note(r.reason || "");
        },
      });
    });
  }

  /** @param {Carelint.Session} session @param {Carelint.Finding} finding */
  function suggestionButtons(session, finding) {
    return (finding.suggestions || []).map((s) =>
      el("button", {
        type: "button",
        class: "suggestion",
        "data-suggestion": s,
        "aria-label": t(finding.lang, "card.replaceWith", { text: s }),
        text: s,
        onclick: async () => {
          const ok = await session.applySuggestion(finding, s);
          if (ok) C.card.hide(false);
          else note(t(finding.lang, "card.editorRefused"));
        },
      }),
    );
  }

  // Ignoring: here (this post), always (the user's own list, undone on the options page), or,
  // for a name, the organisation's staff list, which changes the checks of everyone using these
  // settings and therefore asks first.
  /** @param {Carelint.Session} session @param {Carelint.Finding} finding */
  function ignoreButtons(session, finding) {
    const out = [
      el("button", {
        type: "button",
        class: "ignore",
        text: t(finding.lang, "card.ignoreHere"),
        title: t(finding.lang, "card.ignoreHereTitle"),
        onclick: () => {
          session.ignore(finding);
          C.card.hide(true);
        },
      }),
      el("button", {
        type: "button",
        class: "always-ignore",
        text: t(finding.lang, "card.alwaysIgnore"),
        title: t(finding.lang, "card.alwaysIgnoreTitle", { text: excerpt(finding.text, 40) }),
        onclick: async () => {
          const r = await session.alwaysIgnore(finding);
          if (r.ok) C.card.hide(true);
          else note(t(finding.lang, "card.ignoreListFailed", { error: r.error || "" }));
        },
      }),
    ];
    // Only names and handles can be staff; a phone number or a date cannot.
    if (finding.category === "phi" && !finding.offline && STAFF_TYPES.has(finding.type || "")) {
      out.push(
        el("button", {
          type: "button",
          class: "staff",
          text: t(finding.lang, "card.staff"),
          title: t(finding.lang, "card.staffTitle"),
          onclick: () => confirmStaff(session, finding),
        }),
      );
    }
    return out;
  }

  // The staff list confirmation, inside the card in place of the actions.
  /** @param {Carelint.Session} session @param {Carelint.Finding} finding */
  function confirmStaff(session, finding) {
    const actions = card && card.querySelector(".actions");
    if (!card || !(actions instanceof HTMLElement)) return;
    const cancel = () => {
      box.remove();
      actions.hidden = false;
      const back = actions.querySelector("button.staff");
      if (back instanceof HTMLElement) back.focus();
    };
    const box = el(
      "div",
      { class: "confirm-staff", role: "group", "aria-labelledby": "carelint-staff-question" },
      el("p", {
        id: "carelint-staff-question",
        text: t(finding.lang, "card.staffQuestion", { text: finding.text }),
      }),
      el(
        "div",
        { class: "confirm-actions" },
        el("button", {
          type: "button",
          class: "confirm primary",
          text: t(finding.lang, "card.confirm"),
          onclick: async () => {
            const r = await session.allowlist(finding);
            if (r.ok) C.card.hide(true);
            else note(t(finding.lang, "card.staffFailed", { error: r.error || "" }));
          },
        }),
        el("button", { type: "button", class: "cancel", text: t(finding.lang, "card.cancel"), onclick: cancel }),
      ),
    );
    actions.hidden = true;
    actions.after(box);
    const first = box.querySelector("button.cancel"); // the safe choice has the focus
    if (first instanceof HTMLElement) first.focus();
  }

  // "Source: …", linked when the server gives an https address for it.
  /** @param {Carelint.Finding} finding */
  function sourceLine(finding) {
    const href = httpsUrl(finding.source_url);
    if (!finding.source && !href) return null;
    const label = finding.source || (href ? new URL(href).hostname : "");
    const name = href
      ? el("a", { href, target: "_blank", rel: "noopener noreferrer", title: t(finding.lang, "card.opensNewTab", { label }), text: label })
      : document.createTextNode(label);
    return el("p", { class: "source" }, document.createTextNode(t(finding.lang, "card.source")), name);
  }

  /** @param {unknown} value @returns {string | null} */
  function httpsUrl(value) {
    if (typeof value !== "string" || !value) return null;
    try {
      const u = new URL(value);
      return u.protocol === "https:" && u.hostname ? u.href : null;
    } catch {
      return null;
    }
  }

  /** The card's content for one text finding in a composer. */
  /** @param {Carelint.Session} session @param {Carelint.Finding} finding */
  function findingContent(session, finding) {
    const { category, severity } = C.card.describe(finding);
    const actions = [...fixButtons(session, finding), ...ignoreButtons(session, finding)];
    const meta = session.meta;
    if (meta && meta.disclaimer && meta.disclaimer.needed && meta.disclaimer.suggested) {
      actions.push(
        el("button", {
          type: "button",
          class: "disclaimer",
          text: t(finding.lang, "card.addDisclaimer"),
          title: meta.disclaimer.suggested,
          onclick: async () => {
            const r = await session.appendDisclaimer();
            if (r.ok) C.card.hide(false);
            else note(r.reason || "");
          },
        }),
      );
    }
    return [
      el(
        "h2",
        { id: "carelint-card-title" },
        el("span", { class: "icon", "aria-hidden": "true", text: ICON[finding.severity] || "" }),
        el("span", { class: "sev", "data-severity": finding.severity, text: `${severity}:` }),
        document.createTextNode(" "),
        el("span", { class: "category", text: category }),
        finding.offline ? el("span", { class: "offline", text: t(finding.lang, "card.offline") }) : null,
        finding.stale ? el("span", { class: "offline", text: t(finding.lang, "card.stale") }) : null,
      ),
      el("p", { class: "flagged" }, document.createTextNode(t(finding.lang, "card.flagged")), el("q", { text: excerpt(finding.text, 80) })),
      el("p", { id: "carelint-card-message", class: "message", text: finding.message || "" }),
      why(finding) ? el("p", { class: "why", text: why(finding) }) : null,
      sourceLine(finding),
      el("div", { class: "actions", role: "group", "aria-label": t(finding.lang, "card.actions") }, ...actions),
      el("p", { class: "note", role: "status", "aria-live": "polite" }),
    ];
  }

  /**
   * What drove a finding, in words: the server's readable drivers (not its internal "kind:" tags)
   * and, for a learned decision, how sure it is.
   * @param {Carelint.Finding} finding
   * @returns {string}
   */
  function why(finding) {
    const drivers = Array.isArray(finding.drivers) ? finding.drivers : [];
    const words = drivers.filter((d) => !/^[a-z-]+:/.test(d) && !/^[a-z]+-[a-z]+$/.test(d));
    const learned = drivers.find((d) => d.startsWith("learned:"));
    const sure = learned ? t(finding.lang, "card.learned", { percent: Math.round(Number(learned.slice(8)) * 100) }) : "";
    const what = words.join(", ") || t(finding.lang, "card.whyWholeSentence");
    return words.length || sure ? `${t(finding.lang, "card.why", { words: what })}${sure}` : "";
  }

  C.card = {
    get element() {
      return card;
    },
    /** The words and icon for a finding's severity and category (the panel uses them too). */
    /** @param {Carelint.Finding} finding */
    describe(finding) {
      const severity = t(finding.lang, `severity.${finding.severity}`);
      const category = t(finding.lang, `category.${finding.category}`);
      return {
        icon: ICON[finding.severity] || "",
        severity: severity === `severity.${finding.severity}` ? finding.severity : severity,
        category: category === `category.${finding.category}` ? finding.category : category,
      };
    },
    // The text finding shown, if the card shows one.
    get current() {
      return shown && shown.session && shown.finding ? { session: shown.session, finding: shown.finding } : null;
    },
    isOpen() {
      return !!card && card.matches(":popover-open");
    },
    isOpenFor(owner) {
      return !!shown && shown.owner === owner && this.isOpen();
    },
    contains(node) {
      return !!card && (node === card || card.contains(node));
    },

    // Show `opening.content` in the card (replacing whatever it showed).
    open(opening) {
      clearTimeout(hideTimer);
      const c = card || build();
      shown = opening;
      c.className = `card ${opening.className || ""}`.trim();
      c.setAttribute("aria-labelledby", opening.labelledBy);
      if (opening.describedBy) c.setAttribute("aria-describedby", opening.describedBy);
      else c.removeAttribute("aria-describedby");
      c.replaceChildren(...opening.content.filter((n) => n !== null));
      if (!this.isOpen()) c.showPopover();
      position(c, opening.anchor, opening.beside);
      if (opening.focus) {
        focusHeldUntil = performance.now() + FOCUS_HOLD_MS;
        (/** @type {HTMLElement | null} */ (c.querySelector("button")) || c).focus();
      }
    },

    // A text finding's card, under its first line box.
    show(session, finding, rect, { focus = false } = {}) {
      session.noteCaret();
      this.open({
        owner: session,
        session,
        finding,
        labelledBy: "carelint-card-title",
        describedBy: "carelint-card-message",
        content: findingContent(session, finding),
        anchor: rect,
        focus,
        returnFocus: () => {
          if (session.adapter.el.isConnected) session.adapter.focus();
        },
      });
    },

    hideSoon() {
      clearTimeout(hideTimer);
      hideTimer = setTimeout(() => this.hide(false), 350);
    },

    hide(refocus) {
      clearTimeout(hideTimer);
      const was = shown;
      shown = null;
      if (card && this.isOpen()) card.hidePopover();
      if (refocus && was && was.returnFocus) was.returnFocus();
    },
  };

  // Hover: hit-test the pointer against the highlight ranges (rAF-throttled). Only a text
  // finding's card follows the pointer this way; a picture's card follows its badge.
  /** @type {{x: number, y: number, path: EventTarget[]} | null} */
  let pending = null;
  document.addEventListener(
    "pointermove",
    (e) => {
      const queued = !!pending;
      pending = { x: e.clientX, y: e.clientY, path: e.composedPath() };
      if (queued) return;
      requestAnimationFrame(() => {
        const p = pending;
        pending = null;
        if (!p || (card && p.path.includes(card))) return;
        const hit = C.highlighter.hitTest(p.x, p.y);
        const current = C.card.current;
        if (hit) {
          if (!current || current.finding !== hit.entry.finding) C.card.show(hit.owner, hit.entry.finding, hit.rect);
          else clearTimeout(hideTimer);
        } else if (current && C.card.isOpen() && !(card && card.contains(C.ui.root.activeElement))) {
          C.card.hideSoon();
        }
      });
    },
    { passive: true, capture: true },
  );
})();
