// @ts-check
// Paints findings with the CSS Custom Highlight API: three named highlights, one Range per
// finding over exactly its text, nothing inserted into the editor. Ranges are rebuilt from
// the adapter's text map whenever the editor re-renders, so they follow the text; the
// browser paints them, so they follow scrolling and resizing by themselves.
(() => {
  const C = globalThis.Carelint;
  const PRIORITY = { high: 3, medium: 2, low: 1 };
  /** @type {Map<Carelint.Session, Carelint.HighlightEntry[]>} */
  const owners = new Map();
  /** @type {CSSStyleSheet | null} */
  let sheet = null;
  /** @type {WeakSet<ShadowRoot>} */
  const styled = new WeakSet();

  /** @param {Carelint.Severity} severity */
  function highlight(severity) {
    const name = C.HIGHLIGHT_NAMES[severity];
    let h = CSS.highlights.get(name);
    if (!h) {
      h = new Highlight();
      h.priority = PRIORITY[severity];
      CSS.highlights.set(name, h);
    }
    return h;
  }

  function rebuild() {
    for (const severity of C.SEVERITIES) {
      const h = highlight(severity);
      h.clear();
      for (const entries of owners.values()) for (const e of entries) if (e.severity === severity) h.add(e.range);
    }
  }

  /** @type {Carelint.Highlighter} */
  C.highlighter = {
    css() {
      return `
        ::highlight(carelint-high){background-color:rgba(217,45,32,.16);text-decoration:underline wavy rgb(217,45,32);text-decoration-skip-ink:none;text-underline-offset:3px}
        ::highlight(carelint-medium){background-color:rgba(247,144,9,.16);text-decoration:underline wavy rgb(220,104,3);text-decoration-skip-ink:none;text-underline-offset:3px}
        ::highlight(carelint-low){text-decoration:underline dotted rgb(21,112,239);text-decoration-skip-ink:none;text-underline-offset:3px}`;
    },

    // ::highlight() styles only apply inside the tree scope that holds them.
    styleRootOf(node) {
      const root = node.getRootNode();
      if (!(root instanceof ShadowRoot) || styled.has(root)) return;
      if (!sheet) {
        sheet = new CSSStyleSheet();
        sheet.replaceSync(this.css());
      }
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, /** @type {CSSStyleSheet} */ (sheet)];
      styled.add(root);
    },

    set(owner, entries) {
      for (const e of entries) this.styleRootOf(e.range.startContainer);
      owners.set(owner, entries);
      rebuild();
    },

    clear(owner) {
      if (owners.delete(owner)) rebuild();
    },

    // The Highlight API has no events: hit-test the ranges' boxes instead. Where findings
    // overlap (a word inside a flagged sentence), the most severe, then the narrowest, wins:
    // otherwise a sentence-wide finding would hide the word's own card from the pointer.
    hitTest(x, y) {
      /** @type {{owner: Carelint.Session, entry: Carelint.HighlightEntry, rect: DOMRect} | null} */
      let best = null;
      const rank = (/** @type {Carelint.HighlightEntry} */ e) => C.SEVERITY_RANK[e.severity] || 0;
      const width = (/** @type {Carelint.HighlightEntry} */ e) => e.finding.end - e.finding.start;
      for (const [owner, entries] of owners) {
        for (const e of entries) {
          for (const r of e.range.getClientRects()) {
            if (!(x >= r.left - 1 && x <= r.right + 1 && y >= r.top - 1 && y <= r.bottom + 1)) continue;
            if (!best || rank(e) > rank(best.entry) || (rank(e) === rank(best.entry) && width(e) < width(best.entry))) {
              best = { owner, entry: e, rect: r };
            }
            break;
          }
        }
      }
      return best;
    },
  };
})();
