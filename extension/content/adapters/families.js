// @ts-check
// One entry per editor family: how its root is recognised and which insertion path its
// editor accepts (see docs/composers.md for the evidence behind each choice).
(() => {
  const C = globalThis.Carelint;
  const multiLine = (/** @type {string} */ text) => text.includes("\n");

  // Draft.js (X, TikTok Studio): a synthetic paste keeps blank lines and goes through
  // Draft's own onPaste, so its EditorState and undo stack are updated.
  C.adapters.draft = C.makeEditableFamily({
    name: "draft",
    rootSelector: ".public-DraftEditor-content",
    methodFor: () => ["paste", "insertText"],
  });

  // Lexical (Facebook, Instagram, Threads): execCommand's beforeinput is trusted, which
  // Lexical requires; multi-line text goes through its paste command.
  C.adapters.lexical = C.makeEditableFamily({
    name: "lexical",
    rootSelector: '[data-lexical-editor="true"]',
    methodFor: (text) => (multiLine(text) ? ["paste", "insertText"] : ["insertText", "paste"]),
  });

  // Quill (LinkedIn share box): its MutationObserver turns the native edit into a delta.
  C.adapters.quill = C.makeEditableFamily({
    name: "quill",
    rootSelector: ".ql-editor",
    settleMs: 1000, // Quill's default history delay
    methodFor: (text) => (multiLine(text) ? ["paste", "insertText"] : ["insertText", "paste"]),
  });

  // ProseMirror / TipTap (Bluesky, LinkedIn comments): reads native edits back into a
  // transaction; multi-line text as paste so it becomes paragraphs.
  C.adapters.prosemirror = C.makeEditableFamily({
    name: "prosemirror",
    rootSelector: ".ProseMirror",
    settleMs: 500, // prosemirror-history's newGroupDelay
    methodFor: (text) => (multiLine(text) ? ["paste", "insertText"] : ["insertText", "paste"]),
  });

  // Plain contenteditable (YouTube comments and community posts).
  C.adapters.plain = C.makeEditableFamily({
    name: "plain",
    rootSelector: "[contenteditable=true]",
    methodFor: () => ["insertText"],
  });
})();

// The family of an editor found by a generic selector (a site whose editor is not documented,
// or one that changed its editor): read from the element itself, so each edit goes through the
// path its editor accepts. Resolved when bound; the families above are defined by then.
(() => {
  const C = globalThis.Carelint;
  /** @param {HTMLElement} el @returns {Carelint.Family} */
  const familyOf = (el) => {
    if (el instanceof HTMLTextAreaElement || el instanceof HTMLInputElement) return C.adapters.textarea;
    for (const name of ["draft", "lexical", "prosemirror", "quill"]) {
      if (el.closest(C.adapters[name].rootSelector || "")) return C.adapters[name];
    }
    return C.adapters.plain;
  };
  C.adapters.auto = {
    name: "auto",
    kind: "editable",
    find(selector, shadowHosts) {
      const found = [...C.adapters.textarea.find(selector, shadowHosts), ...C.adapters.plain.find(selector, shadowHosts)];
      return found.filter((el, i) => found.indexOf(el) === i);
    },
    bind(el) {
      return familyOf(el).bind(el);
    },
  };
})();
