// @ts-check
// Pre-submit guard. Capture-phase listeners on window run before any page handler (React
// and others listen on their root or document), so a Post click, Ctrl/Cmd+Enter in a
// composer, or the submit event of the form around a composer (what still fires when a site
// renames its Post button) with high findings left is held: the page's submit handler does not run until the user
// chooses "Post anyway" (the click is replayed) or "Review" (nothing is sent). The editor
// is never touched, so nothing typed is lost either way.
(() => {
  const C = globalThis.Carelint;
  const { el } = C.ui;
  let bypass = false;
  /** @type {HTMLDialogElement | null} */
  let dialog = null;
  let holding = false;
  const FLUSH_TIMEOUT_MS = 2500;
  const IMAGE_FLUSH_TIMEOUT_MS = 10000; // OCR of a just-attached picture takes a second or more

  /** @param {Carelint.Session[]} sessions @returns {Promise<Carelint.GuardItem[]>} */
  async function highFindings(sessions) {
    await Promise.all([
      Promise.race([Promise.all(sessions.map((s) => s.flush())), new Promise((r) => setTimeout(r, FLUSH_TIMEOUT_MS))]),
      C.images.flush(sessions, IMAGE_FLUSH_TIMEOUT_MS),
    ]);
    return [
      ...sessions.flatMap((s) => s.highFindings().map((f) => ({ session: s, finding: f }))),
      ...C.images.highFindings(sessions),
    ];
  }

  /**
   * @param {"click" | "key" | "submit"} kind
   * @param {Element | null} button the clicked control, or the submitted form
   * @param {Carelint.Session} session
   * @param {Event} keyEvent
   */
  function replay(kind, button, session, keyEvent) {
    bypass = true;
    try {
      if (kind === "click" && button instanceof HTMLElement) button.click();
      else if (kind === "submit" && button instanceof HTMLFormElement) {
        const submitter = keyEvent instanceof SubmitEvent ? keyEvent.submitter : null;
        button.requestSubmit(submitter && submitter.isConnected ? /** @type {HTMLElement} */ (submitter) : undefined);
      } else {
        const b = C.submitFor(session);
        if (b) b.click();
        else if (keyEvent instanceof KeyboardEvent)
          session.adapter.el.dispatchEvent(
            new KeyboardEvent("keydown", {
              key: "Enter", code: "Enter", keyCode: 13, which: 13, bubbles: true, cancelable: true, composed: true,
              ctrlKey: keyEvent.ctrlKey, metaKey: keyEvent.metaKey, shiftKey: keyEvent.shiftKey,
            }),
          );
      }
    } finally {
      bypass = false;
    }
  }

  /** @param {Carelint.GuardItem[]} items @returns {Promise<"post" | "review">} */
  function ask(items) {
    return new Promise((resolve) => {
      const d =
        dialog ||
        /** @type {HTMLDialogElement} */ (
          el("dialog", { class: "guard", "aria-labelledby": "carelint-guard-title", "aria-describedby": "carelint-guard-desc", "data-carelint-guard": "" })
        );
      if (!dialog) {
        dialog = d;
        C.ui.root.append(d);
      }
      const list = el("ul", { class: "findings" });
      const lang = C.languageOf(items.map(({ finding }) => finding)); // the post's language
      for (const { finding, image } of items) {
        const what = image ? C.t(lang, "guard.image") : `“${finding.text}”`;
        list.append(el("li", { "data-image": image ? "" : null }, el("strong", { text: what }), document.createTextNode(` ${finding.message || finding.category}`)));
      }
      /** @param {"post" | "review"} choice */
      const finish = (choice) => {
        d.onclose = null;
        if (d.open) d.close();
        resolve(choice);
      };
      const review = el("button", { type: "button", class: "primary review", text: C.t(lang, "guard.review"), onclick: () => finish("review") });
      const post = el("button", { type: "button", class: "post-anyway", text: C.t(lang, "guard.postAnyway"), onclick: () => finish("post") });
      d.replaceChildren(
        el("h2", { id: "carelint-guard-title", text: C.t(lang, "guard.title") }),
        el("p", { id: "carelint-guard-desc", text: items.length === 1 ? C.t(lang, "guard.countOne") : C.t(lang, "guard.count", { count: items.length }) }),
        list,
        el("div", { class: "actions" }, review, post),
      );
      d.onclose = () => resolve("review"); // Escape
      d.showModal();
      review.focus();
    });
  }

  /**
   * @param {"click" | "key" | "submit"} kind
   * @param {Event} event
   * @param {Element | null} button
   * @param {Carelint.Session[]} sessions
   */
  async function hold(kind, event, button, sessions) {
    event.preventDefault();
    event.stopImmediatePropagation();
    if (holding) return;
    holding = true;
    try {
      const items = await highFindings(sessions);
      if (!items.length) return replay(kind, button, sessions[0], event);
      const choice = await ask(items);
      if (choice === "post") return replay(kind, button, sessions[0], event);
      const first = items[0];
      if (first.image) C.images.review(first);
      else first.session.review(first.finding);
    } finally {
      holding = false;
    }
  }

  /** @param {Carelint.Session[]} sessions */
  function needsHold(sessions) {
    return (
      sessions.some((s) => s.pending() || s.highFindings().length > 0) ||
      C.images.pending(sessions) ||
      C.images.highFindings(sessions).length > 0
    );
  }

  C.guard = {
    install() {
      window.addEventListener(
        "click",
        (e) => {
          if (bypass || !C.active || !C.site) return;
          const path = e.composedPath();
          if (path.some((n) => n instanceof Element && n.hasAttribute("data-carelint-ui"))) return;
          const button = C.submitIn(C.site, path);
          if (!button) return;
          const sessions = C.sessionsFor(button);
          if (!sessions.length || !needsHold(sessions)) return;
          hold("click", e, button, sessions);
        },
        true,
      );
      window.addEventListener(
        "keydown",
        (e) => {
          if (bypass || !C.active || e.key !== "Enter" || e.isComposing) return;
          const path = e.composedPath();
          const session = C.liveSessions().find((s) => path.includes(s.adapter.el));
          // Ctrl/Cmd+Enter posts on most composers; a plain Enter sends a comment or reply
          // where the site's entry says so (Facebook's comment boxes).
          const plainSends = !!(session && session.spec && session.spec.enterSubmits) && !e.shiftKey;
          if (!(e.ctrlKey || e.metaKey) && !plainSends) return;
          if (!session || !needsHold([session])) return;
          hold("key", e, null, [session]);
        },
        true,
      );
      // A form's own submit: a Post button the site renamed (so `submit` selectors miss it)
      // still submits the form around the composer.
      window.addEventListener(
        "submit",
        (e) => {
          if (bypass || !C.active || !(e.target instanceof HTMLFormElement)) return;
          const form = e.target;
          const sessions = C.liveSessions().filter((s) => form.contains(s.adapter.el));
          if (!sessions.length || !needsHold(sessions)) return;
          hold("submit", e, form, sessions);
        },
        true,
      );
    },
    get dialog() {
      return dialog;
    },
  };
})();
