// @ts-check
// The words Carelint shows in a composer, per language. A card, the issues panel and the
// pre-submit check speak the language of the post they are about (the server gives each finding
// its paragraph's language, `lang`), not the browser's: a bilingual manager posting in Spanish
// reads a Spanish card. Languages the server checks: en, es. `{name}` marks a value.
// The extension's own name and description are in _locales/<lang>/messages.json (the browser's
// language); tests/extension/test_strings.py keeps both tables' keys equal.
(() => {
  const C = (globalThis.Carelint = globalThis.Carelint || /** @type {Carelint.Namespace} */ ({}));

  /** @type {Record<string, Record<string, string>>} */
  const STRINGS = {
    en: {
      "severity.high": "High risk",
      "severity.medium": "Medium risk",
      "severity.low": "Suggestion",
      "category.phi": "patient information",
      "category.claim": "unsupported claim",
      "category.advice": "personal medical advice",
      "category.tone": "unprofessional tone",
      "category.language": "stigmatising language",
      "card.flagged": "Flagged: ",
      "card.source": "Source: ",
      "card.opensNewTab": "{label} (opens in a new tab)",
      "card.offline": "· offline check",
      "card.stale": "· last server check",
      "card.actions": "Fixes and actions",
      "card.deletes": "{label}: deletes “{text}”",
      "card.replaceWith": "Replace with {text}",
      "card.editorRefused": "The editor did not accept the change; nothing was modified.",
      "card.ignoreHere": "Ignore here",
      "card.ignoreHereTitle": "Ignore this finding in this post only",
      "card.alwaysIgnore": "Always ignore",
      "card.alwaysIgnoreTitle": "Never flag “{text}” again in this browser (undo on Carelint's options page)",
      "card.ignoreListFailed": "Could not save the ignore list: {error}",
      "card.staff": "This is our staff",
      "card.staffTitle": "Add to the organisation's staff list (asks first)",
      "card.staffQuestion": "Add “{text}” to the organisation's staff list? Carelint will stop flagging this name for everyone using these settings.",
      "card.confirm": "Confirm",
      "card.cancel": "Cancel",
      "card.staffFailed": "Could not update the staff list: {error}",
      "card.addDisclaimer": "Add disclaimer",
      "card.why": "Why: {words}",
      "card.whyWholeSentence": "the sentence as a whole",
      "card.learned": " (learned decision, {percent}% sure)",
      "panel.title": "Carelint: {count} issues in this post",
      "panel.titleOne": "Carelint: 1 issue in this post",
      "panel.none": "No issues.",
      "panel.ignore": "Ignore",
      "panel.ignoreLabel": "Ignore “{text}” in this post",
      "panel.fixAll": "Fix all safe fixes ({count})",
      "panel.fixAllTitle": "Apply each finding's fix that changes only the flagged words (never a whole sentence)",
      "panel.dismissAll": "Dismiss all",
      "panel.close": "Close",
      "guard.title": "Carelint: this post still has high-risk findings",
      "guard.review": "Review",
      "guard.postAnyway": "Post anyway",
      "guard.image": "Image:",
      "guard.count": "{count} findings to review before posting:",
      "guard.countOne": "1 finding to review before posting:",
    },
    es: {
      "severity.high": "Riesgo alto",
      "severity.medium": "Riesgo medio",
      "severity.low": "Sugerencia",
      "category.phi": "información del paciente",
      "category.claim": "afirmación sin respaldo",
      "category.advice": "consejo médico personal",
      "category.tone": "tono poco profesional",
      "category.language": "lenguaje estigmatizante",
      "card.flagged": "Marcado: ",
      "card.source": "Fuente: ",
      "card.opensNewTab": "{label} (se abre en una pestaña nueva)",
      "card.offline": "· revisión sin conexión",
      "card.stale": "· última revisión del servidor",
      "card.actions": "Correcciones y acciones",
      "card.deletes": "{label}: borra «{text}»",
      "card.replaceWith": "Reemplazar por {text}",
      "card.editorRefused": "El editor no aceptó el cambio; no se modificó nada.",
      "card.ignoreHere": "Ignorar aquí",
      "card.ignoreHereTitle": "Ignorar este aviso solo en esta publicación",
      "card.alwaysIgnore": "Ignorar siempre",
      "card.alwaysIgnoreTitle": "No volver a marcar «{text}» en este navegador (se deshace en las opciones de Carelint)",
      "card.ignoreListFailed": "No se pudo guardar la lista de ignorados: {error}",
      "card.staff": "Es de nuestro personal",
      "card.staffTitle": "Agregar a la lista de personal de la organización (pregunta antes)",
      "card.staffQuestion": "¿Agregar «{text}» a la lista de personal de la organización? Carelint dejará de marcar este nombre para todos los que usan esta configuración.",
      "card.confirm": "Confirmar",
      "card.cancel": "Cancelar",
      "card.staffFailed": "No se pudo actualizar la lista de personal: {error}",
      "card.addDisclaimer": "Agregar aviso",
      "card.why": "Por qué: {words}",
      "card.whyWholeSentence": "la frase en su conjunto",
      "card.learned": " (decisión aprendida, {percent}% de certeza)",
      "panel.title": "Carelint: {count} avisos en esta publicación",
      "panel.titleOne": "Carelint: 1 aviso en esta publicación",
      "panel.none": "Sin avisos.",
      "panel.ignore": "Ignorar",
      "panel.ignoreLabel": "Ignorar «{text}» en esta publicación",
      "panel.fixAll": "Aplicar las correcciones seguras ({count})",
      "panel.fixAllTitle": "Aplicar la corrección de cada aviso que cambia solo las palabras marcadas (nunca una frase entera)",
      "panel.dismissAll": "Descartar todos",
      "panel.close": "Cerrar",
      "guard.title": "Carelint: esta publicación todavía tiene avisos de riesgo alto",
      "guard.review": "Revisar",
      "guard.postAnyway": "Publicar de todos modos",
      "guard.image": "Imagen:",
      "guard.count": "{count} avisos que revisar antes de publicar:",
      "guard.countOne": "1 aviso que revisar antes de publicar:",
    },
  };

  C.STRINGS = STRINGS;
  C.LANGUAGES = Object.keys(STRINGS);

  /**
   * The words for `key` in `lang` (English when the language or the key is unknown), with
   * `{name}` replaced by vars.name.
   * @param {string | undefined} lang @param {string} key @param {Record<string, string | number>} [vars]
   */
  C.t = (lang, key, vars = {}) => {
    const table = STRINGS[lang || "en"] || STRINGS.en;
    const text = table[key] ?? STRINGS.en[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
  };

  /** The language of a set of findings: the most common one (a bilingual post's panel); a
   * picture's findings have none. */
  /** @param {object[]} findings */
  C.languageOf = (findings) => {
    /** @type {Record<string, number>} */
    const counts = {};
    for (const f of findings) {
      const lang = "lang" in f && typeof f.lang === "string" ? f.lang : "en";
      counts[lang] = (counts[lang] || 0) + 1;
    }
    return Object.keys(counts).sort((a, b) => counts[b] - counts[a])[0] || "en";
  };
})();
