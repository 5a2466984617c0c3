// @ts-check
// Carelint's own UI lives in one open shadow root attached to <html>, outside the page's
// app roots, so the site's CSS cannot reach it and it never sits inside a composer.
(() => {
  const C = globalThis.Carelint;
  const CSS_TEXT = `
    :host { all: initial; }
    .layer { position: fixed; left: 0; top: 0; width: 0; height: 0; z-index: 2147483646; pointer-events: none; }
    .carelint-mirror { position: fixed; margin: 0; overflow: hidden; color: transparent; background: transparent;
      border-style: solid; border-color: transparent; pointer-events: none; }
    .chip { position: fixed; display: flex; gap: 4px; align-items: center; pointer-events: auto;
      font: 12px/1.2 system-ui, -apple-system, "Segoe UI", sans-serif; }
    .chip button, .card button, .guard button { font: inherit; cursor: pointer; border-radius: 999px;
      border: 1px solid #d0d5dd; background: #fff; color: #101828; padding: 3px 9px; }
    .chip .status { padding: 3px 8px; border-radius: 999px; background: #ecfdf3; color: #067647; border: 1px solid #abefc6; }
    .chip .status[data-level="high"] { background: #fef3f2; color: #b42318; border-color: #fecdca; }
    .chip .status[data-level="medium"] { background: #fffaeb; color: #b54708; border-color: #fedf89; }
    .chip .status[data-offline="true"] { background: #fffaeb; color: #93370d; border-color: #f79009; font-weight: 600; }
    .chip button:focus-visible, .card button:focus-visible, .guard button:focus-visible { outline: 2px solid #1570ef; outline-offset: 1px; }
    .card { position: fixed; margin: 0; inset: auto; width: 340px; max-width: calc(100vw - 16px); box-sizing: border-box;
      padding: 12px 14px; border: 1px solid #d0d5dd; border-radius: 10px; background: #fff; color: #101828;
      box-shadow: 0 8px 24px rgba(16,24,40,.18); font: 13px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
    .card h2 { font-size: 13px; margin: 0 0 4px; display: flex; gap: 6px; align-items: center; }
    .card .sev { font-size: 12px; padding: 1px 6px; border-radius: 4px; }
    .card .flagged { font-size: 12px; color: #344054; overflow-wrap: anywhere; }
    .card .sev[data-severity="high"] { background: #fef3f2; color: #b42318; }
    .card .sev[data-severity="medium"] { background: #fffaeb; color: #b54708; }
    .card .sev[data-severity="low"] { background: #eff8ff; color: #175cd3; }
    .card p { margin: 4px 0; }
    .card .source { color: #667085; font-size: 11px; }
    .card .why { color: #344054; font-size: 12px; margin: 4px 0; }
    .card .actions { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; }
    .card .suggestion, .card .fix { background: #eff8ff; border-color: #b2ddff; color: #175cd3; }
    .card .source a { color: #175cd3; }
    .card .source a:focus-visible { outline: 2px solid #1570ef; outline-offset: 1px; }
    .card .confirm-staff { margin-top: 8px; padding: 8px; border: 1px solid #fedf89; border-radius: 8px; background: #fffaeb; }
    .card .confirm-staff p { margin: 0 0 6px; }
    .card .confirm-actions { display: flex; gap: 6px; }
    .card [hidden] { display: none; }
    .card .confirm-staff .primary { background: #1570ef; border-color: #1570ef; color: #fff; }
    .card .note { color: #b42318; font-size: 12px; }
    .panel { position: fixed; margin: 0; inset: auto; width: 380px; max-width: calc(100vw - 16px); max-height: 70vh; overflow: auto;
      box-sizing: border-box; padding: 12px 14px; border: 1px solid #d0d5dd; border-radius: 10px; background: #fff; color: #101828;
      box-shadow: 0 8px 24px rgba(16,24,40,.18); font: 13px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
    .panel h2 { font-size: 14px; margin: 0 0 8px; }
    .panel ul { list-style: none; margin: 0; padding: 0; }
    .panel li { border-top: 1px solid #eaecf0; padding: 6px 0; }
    .panel li q { display: block; color: #344054; overflow-wrap: anywhere; }
    .panel .message { margin: 2px 0; color: #475467; font-size: 12px; }
    .panel .actions { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 4px; }
    .panel button { font: inherit; cursor: pointer; border-radius: 999px; border: 1px solid #d0d5dd; background: #fff; color: #101828; padding: 3px 9px; }
    .panel button.fix, .panel button.fix-all { background: #eff8ff; border-color: #b2ddff; color: #175cd3; }
    .panel button:focus-visible { outline: 2px solid #1570ef; outline-offset: 1px; }
    .panel button[disabled] { opacity: .5; cursor: default; }
    .chip button.status { font: inherit; cursor: pointer; }
    .guard { margin: auto; width: 420px; max-width: calc(100vw - 32px); padding: 16px 18px; border: 1px solid #d0d5dd;
      border-radius: 12px; background: #fff; color: #101828; font: 14px/1.45 system-ui, -apple-system, sans-serif; }
    .guard::backdrop { background: rgba(16,24,40,.35); }
    .guard h2 { font-size: 16px; margin: 0 0 8px; }
    .guard ul { margin: 0 0 12px; padding-left: 18px; }
    .guard .actions { display: flex; justify-content: flex-end; gap: 8px; }
    .guard .primary { background: #1570ef; border-color: #1570ef; color: #fff; }
    .img-overlay { position: fixed; pointer-events: none; }
    .img-boxes { position: absolute; inset: 0; overflow: hidden; }
    .img-box { position: absolute; box-sizing: border-box; border: 2px solid #d92d20; background: rgba(217,45,32,.12); border-radius: 3px; }
    .img-box[data-severity="medium"] { border-color: #dc6803; background: rgba(247,144,9,.12); }
    .img-box[data-severity="low"] { border-color: #1570ef; background: rgba(21,112,239,.10); border-style: dashed; }
    .img-badge { position: absolute; right: 4px; bottom: 4px; pointer-events: auto; cursor: pointer; max-width: calc(100% - 8px);
      overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font: 12px/1.2 system-ui, -apple-system, "Segoe UI", sans-serif;
      padding: 3px 8px; border-radius: 999px; border: 1px solid #d0d5dd; background: #f2f4f7; color: #344054; }
    .img-badge[data-level="ok"] { background: #ecfdf3; color: #067647; border-color: #abefc6; }
    .img-badge[data-level="high"] { background: #fef3f2; color: #b42318; border-color: #fecdca; }
    .img-badge[data-level="medium"] { background: #fffaeb; color: #b54708; border-color: #fedf89; }
    .img-badge:focus-visible { outline: 2px solid #1570ef; outline-offset: 1px; }
    .image-card ul { margin: 6px 0; padding-left: 0; list-style: none; }
    .image-card li { margin: 0 0 6px; }
    .image-card li button { margin-left: 6px; font-size: 11px; padding: 1px 7px; }
  `;

  /** @type {{host: HTMLElement, shadow: ShadowRoot, layer: HTMLElement} | null} */
  let made = null;

  function make() {
    const host = document.createElement("carelint-ui");
    host.setAttribute("data-carelint-ui", "");
    const shadow = host.attachShadow({ mode: "open" });
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS_TEXT + C.highlighter.css());
    shadow.adoptedStyleSheets = [sheet];
    const layer = document.createElement("div");
    layer.className = "layer";
    shadow.append(layer);
    document.documentElement.append(host);
    return { host, shadow, layer };
  }

  /** @type {Carelint.Ui} */
  const ui = {
    get root() {
      made = made || make();
      // Some single-page apps rebuild <html>'s children: re-attach if we were dropped.
      if (!made.host.isConnected) document.documentElement.append(made.host);
      return made.shadow;
    },
    get layer() {
      void ui.root;
      return /** @type {{layer: HTMLElement}} */ (made).layer;
    },
    // An element: `text` sets its text, `on…` functions listen, other values are attributes
    // (true: present, false / null / undefined: absent). Falsy children are skipped.
    el(tag, attrs = {}, ...children) {
      const e = document.createElement(tag);
      for (const [k, v] of Object.entries(attrs)) {
        if (v === undefined || v === null || v === false) continue;
        if (typeof v === "function") {
          if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
        } else if (k === "text") e.textContent = String(v);
        else e.setAttribute(k, v === true ? "" : String(v));
      }
      e.append(...children.filter(/** @returns {c is Node} */ (c) => !!c));
      return e;
    },
    // Calls place() in the next frame whenever `target` resizes, scrolls (itself or any
    // ancestor), fires one of `events`, or the window resizes; stop() undoes it all.
    follow(target, place, events = []) {
      let queued = false;
      const schedule = () => {
        if (queued) return;
        queued = true;
        requestAnimationFrame(() => {
          queued = false;
          place();
        });
      };
      const resizeObserver = new ResizeObserver(schedule);
      resizeObserver.observe(target);
      for (const type of events) target.addEventListener(type, schedule);
      window.addEventListener("scroll", schedule, { capture: true, passive: true });
      window.addEventListener("resize", schedule, { passive: true });
      return {
        schedule,
        stop() {
          resizeObserver.disconnect();
          for (const type of events) target.removeEventListener(type, schedule);
          window.removeEventListener("scroll", schedule, { capture: true });
          window.removeEventListener("resize", schedule);
        },
      };
    },
  };
  C.ui = ui;
})();
