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
      "status.connected": "Connected",
      "status.offline": "Server offline",
      "status.unauthorized": "Wrong token: pair again",
      "status.unpaired": "Not connected to Carelint — set up",
      "status.error": "Server error",
      "status.unknown": "Checking…",
      "popup.server": "Server",
      "popup.address": "Address",
      "popup.fingerprint": "Fingerprint",
      "popup.notPaired": "Not paired yet. Open the link `carelint serve` printed (or run `carelint open`) and click “Pair the Carelint extension”.",
      "popup.thisTab": "This tab",
      "popup.notChecked": "Carelint does not check posts on this page.",
      "popup.findings": "findings in the composers on this page",
      "popup.findingsOne": "finding in the composers on this page",
      "popup.findingsHigh": " ({high} high)",
      "popup.offlineCheck": "Offline check: only built-in patterns (phone, email, SSN, MRN, date of birth).",
      "popup.checkPostsOn": "Check posts on",
      "popup.pause": "Pause",
      "popup.pauseHour": "Pause for 1 hour",
      "popup.resume": "Resume checking",
      "popup.pausedUntil": "Paused until {time}: nothing is checked and the guard holds nothing.",
      "popup.options": "Options",
      "popup.openServer": "Open server page",
      "popup.helpOffline": "The Carelint server is not running. Start it with `carelint serve`; until then only built-in patterns are checked.",
      "popup.helpUnauthorized": "The server refused the token. Pair again: open the link `carelint serve` printed (or run `carelint open`) and click “Pair the Carelint extension”.",
      "popup.helpError": "The server answered with an error.",
      "popup.composerUnseen": "Carelint can't see the composer on this page: the site may have changed, and what you type there is not checked. Use the playground (Open server page) until an update.",
      "popup.composerNoSubmit": "Carelint can't see this composer's Post button: it still holds Ctrl+Enter and the form's own submit, but a click on Post may go through unchecked.",
      "pair.pairWith": "Pair with this server",
      "pair.cancel": "Cancel",
      "pair.replaces": "This replaces the current pairing with `{server}` (fingerprint `{fingerprint}`).",
      "pair.serverAddress": "Server address",
      "pair.fingerprint": "Fingerprint",
      "pair.compare": "Compare both with what `carelint serve` printed in your terminal (its address and its “Pairing fingerprint” line). Pair only if they match: a different address or fingerprint means another program on this computer is asking for your posts.",
      "pair.pairOrCancel": "Pair or cancel",
      "pair.pairing": "Pairing…",
      "pair.notPaired": "Not paired: {error}",
      "pair.paired": "Paired with {server}. Carelint now checks your posts with this server.",
      "pair.cancelled": "Cancelled: nothing was stored.",
      "confirm.pageTitle": "Carelint: confirm pairing",
      "confirm.title": "Pair Carelint with this server?",
      "confirm.intro": "A page on this computer asked the Carelint extension to send your posts to its server for checking. Pair only with the Carelint server you started yourself.",
      "confirm.loading": "Loading…",
      "confirm.close": "Close this tab",
      "confirm.nothing": "Nothing to confirm",
      "confirm.paired": "Carelint is paired",
      "confirm.notPaired": "Not paired",
      "options.title": "Carelint options",
      "options.pairedWith": "Paired with",
      "options.notPaired": "Not paired yet.",
      "options.pairHelp": "Easiest: open the link `carelint serve` printed (or run `carelint open`), click “Pair the Carelint extension” and confirm the fingerprint. Or enter the server's address and token here (`carelint token` prints it): Carelint shows the fingerprint to compare before it saves anything.",
      "options.serverAddress": "Server address (this machine only)",
      "options.token": "Token",
      "options.checkAndPair": "Check and pair…",
      "options.checking": "Checking",
      "options.showFrom": "Show findings from",
      "options.fromLow": "Low severity up (all findings)",
      "options.fromMedium": "Medium severity up",
      "options.fromHigh": "High severity only",
      "options.guardHelp": "The pre-submit guard always holds posts with high-severity findings. In a composer, Alt+↓ opens the card of the finding at the caret and a click on the chip opens the issues panel; Escape closes either.",
      "options.sites": "Sites",
      "options.shortcuts": "Keyboard shortcuts",
      "options.changeShortcuts": "Change shortcuts…",
      "options.ignored": "Always ignored (this browser only)",
      "options.ignoredHelp": "What you chose “Always ignore” for on a finding's card: Carelint hides findings with this text (in any case) on every site. Nothing is sent to the server; remove an entry to be warned again.",
      "options.ignoredEmpty": "Nothing is ignored.",
      "options.remove": "Remove",
      "options.removeLabel": "Remove “{text}” (flag it again)",
      "options.policy": "Organisation policy (stored by the server)",
      "options.policyUnavailable": "Connect to the server to edit the policy.",
      "options.staffNames": "Staff names (not PHI), one per line",
      "options.staffHandles": "Staff and organisation handles, one per line",
      "options.orgAddresses": "Organisation addresses (not PHI), one per line",
      "options.orgPhones": "Organisation phone numbers (not PHI), one per line; the first goes into the safe reply to a review",
      "options.extraTerms": "Always patient information (extra PHI terms), one per line",
      "options.disclaimerShort": "Short disclaimer (empty: the default shown)",
      "options.disclaimerLong": "Long disclaimer (empty: the default shown)",
      "options.rules": "Rules (untick to switch a rule off for the whole organisation)",
      "options.savePolicy": "Save policy",
      "options.saved": "Saved.",
      "options.notSaved": "Not saved: {error}",
      "options.localOnly": "The server must run on this machine (127.0.0.1 or localhost).",
      "options.checkingToken": "Checking the token with that server…",
      "options.nothingSaved": "Not paired: nothing was saved.",
      "welcome.pageTitle": "Welcome to Carelint",
      "welcome.title": "Welcome to Carelint",
      "welcome.intro": "Carelint checks what you write in social media composers for patient information and unsupported or unprofessional health content. Everything is checked by a small server on this computer: nothing you type leaves it.",
      "welcome.sitesTitle": "Let Carelint into your composers",
      "welcome.sitesMissing": "Carelint is not allowed on some of the sites it checks.",
      "welcome.sitesWhy": "Your browser lets an extension into a website only while you allow it. Carelint reads the composers of the social sites it supports and sends their text only to the Carelint server on this computer.",
      "welcome.allowSites": "Allow Carelint on these sites",
      "welcome.notAllowed": "Not allowed: Carelint cannot check the composers of those sites.",
      "welcome.couldNotAsk": "Could not ask: {error}",
      "welcome.findServer": "1. Find the Carelint server",
      "welcome.looking": "Looking for it…",
      "welcome.startIt": "Start it in a terminal, in the Carelint folder: `make run` (or `carelint serve`). Carelint looks again every two seconds. Running it on another port? Give its address:",
      "welcome.serverAddress": "Server address (this computer only)",
      "welcome.lookThere": "Look there",
      "welcome.found": "Found: {url} (Carelint {version})",
      "welcome.missing": "No Carelint server is running on this computer yet.",
      "welcome.pairTitle": "2. Pair this browser with it",
      "welcome.notPaired": "Not paired yet.",
      "welcome.pairHelp": "Click “Pair the Carelint extension” on the server's page, then check that the fingerprint matches the “Pairing fingerprint” line `carelint serve` printed. If the page asks you to sign in, open the link the terminal printed (or run `carelint open`).",
      "welcome.openServer": "Open the server's page to pair",
      "welcome.paired": "Paired with {server} (fingerprint {fingerprint}).",
      "welcome.tryTitle": "3. Try it (30 seconds)",
      "welcome.tryIntro": "A sample post as a clinic might write it. Check it, change it, check again: the same checks run in every composer Carelint supports.",
      "welcome.sample": "Sample post",
      "welcome.sampleText": "Congrats to our patient Maria Gonzalez on her new hip! 🎉 Our turmeric shots cure arthritis.",
      "welcome.checkSample": "Check the sample",
      "welcome.pairFirst": "Pair first: the sample is checked by your server.",
      "welcome.ready": "Ready: check the sample.",
      "welcome.checking": "Checking…",
      "welcome.noAnswer": "The server did not answer; is it still running?",
      "welcome.findings": "{count} findings:",
      "welcome.findingsOne": "1 finding:",
      "welcome.outro": "In a composer, hover a highlight for its card; click the chip beside the composer for the list of issues; Carelint's options set your organisation's staff names, phones and disclaimers.",
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
      "status.connected": "Conectado",
      "status.offline": "Servidor desconectado",
      "status.unauthorized": "Token incorrecto: vuelva a emparejar",
      "status.unpaired": "Carelint no está conectado — configurar",
      "status.error": "Error del servidor",
      "status.unknown": "Comprobando…",
      "popup.server": "Servidor",
      "popup.address": "Dirección",
      "popup.fingerprint": "Huella",
      "popup.notPaired": "Aún sin emparejar. Abra el enlace que imprimió `carelint serve` (o ejecute `carelint open`) y pulse “Pair the Carelint extension”.",
      "popup.thisTab": "Esta pestaña",
      "popup.notChecked": "Carelint no revisa publicaciones en esta página.",
      "popup.findings": "avisos en los editores de esta página",
      "popup.findingsOne": "aviso en los editores de esta página",
      "popup.findingsHigh": " ({high} de riesgo alto)",
      "popup.offlineCheck": "Revisión sin conexión: solo los patrones integrados (teléfono, correo, SSN, expediente, fecha de nacimiento).",
      "popup.checkPostsOn": "Revisar publicaciones en",
      "popup.pause": "Pausa",
      "popup.pauseHour": "Pausar 1 hora",
      "popup.resume": "Reanudar la revisión",
      "popup.pausedUntil": "En pausa hasta las {time}: no se revisa nada y no se retiene ninguna publicación.",
      "popup.options": "Opciones",
      "popup.openServer": "Abrir la página del servidor",
      "popup.helpOffline": "El servidor de Carelint no está en marcha. Inícielo con `carelint serve`; mientras tanto solo se revisan los patrones integrados.",
      "popup.helpUnauthorized": "El servidor rechazó el token. Vuelva a emparejar: abra el enlace que imprimió `carelint serve` (o ejecute `carelint open`) y pulse “Pair the Carelint extension”.",
      "popup.helpError": "El servidor respondió con un error.",
      "popup.composerUnseen": "Carelint no ve el editor de esta página: puede que el sitio haya cambiado y lo que escriba ahí no se revisa. Use el playground (Abrir la página del servidor) hasta una actualización.",
      "popup.composerNoSubmit": "Carelint no ve el botón Publicar de este editor: sigue reteniendo Ctrl+Enter y el envío del formulario, pero un clic en Publicar podría pasar sin revisión.",
      "pair.pairWith": "Emparejar con este servidor",
      "pair.cancel": "Cancelar",
      "pair.replaces": "Esto reemplaza el emparejamiento actual con `{server}` (huella `{fingerprint}`).",
      "pair.serverAddress": "Dirección del servidor",
      "pair.fingerprint": "Huella",
      "pair.compare": "Compare ambas con lo que imprimió `carelint serve` en su terminal (su dirección y la línea “Pairing fingerprint”). Empareje solo si coinciden: otra dirección u otra huella significa que otro programa de este equipo está pidiendo sus publicaciones.",
      "pair.pairOrCancel": "Emparejar o cancelar",
      "pair.pairing": "Emparejando…",
      "pair.notPaired": "No emparejado: {error}",
      "pair.paired": "Emparejado con {server}. Carelint ahora revisa sus publicaciones con este servidor.",
      "pair.cancelled": "Cancelado: no se guardó nada.",
      "confirm.pageTitle": "Carelint: confirmar el emparejamiento",
      "confirm.title": "¿Emparejar Carelint con este servidor?",
      "confirm.intro": "Una página de este equipo pidió a la extensión de Carelint que envíe sus publicaciones a su servidor para revisarlas. Empareje solo con el servidor de Carelint que usted mismo inició.",
      "confirm.loading": "Cargando…",
      "confirm.close": "Cerrar esta pestaña",
      "confirm.nothing": "Nada que confirmar",
      "confirm.paired": "Carelint está emparejado",
      "confirm.notPaired": "No emparejado",
      "options.title": "Opciones de Carelint",
      "options.pairedWith": "Emparejado con",
      "options.notPaired": "Aún sin emparejar.",
      "options.pairHelp": "Lo más fácil: abra el enlace que imprimió `carelint serve` (o ejecute `carelint open`), pulse “Pair the Carelint extension” y confirme la huella. O escriba aquí la dirección y el token del servidor (`carelint token` lo imprime): Carelint muestra la huella para compararla antes de guardar nada.",
      "options.serverAddress": "Dirección del servidor (solo este equipo)",
      "options.token": "Token",
      "options.checkAndPair": "Comprobar y emparejar…",
      "options.checking": "Revisión",
      "options.showFrom": "Mostrar avisos desde",
      "options.fromLow": "Gravedad baja en adelante (todos los avisos)",
      "options.fromMedium": "Gravedad media en adelante",
      "options.fromHigh": "Solo gravedad alta",
      "options.guardHelp": "La revisión antes de publicar siempre retiene las publicaciones con avisos de gravedad alta. En un editor, Alt+↓ abre la tarjeta del aviso donde está el cursor y un clic en la etiqueta abre el panel de avisos; Escape cierra ambos.",
      "options.sites": "Sitios",
      "options.shortcuts": "Atajos de teclado",
      "options.changeShortcuts": "Cambiar los atajos…",
      "options.ignored": "Ignorados siempre (solo este navegador)",
      "options.ignoredHelp": "Lo que marcó como “Ignorar siempre” en la tarjeta de un aviso: Carelint oculta los avisos con este texto (en mayúsculas o minúsculas) en todos los sitios. No se envía nada al servidor; quite una entrada para volver a recibir el aviso.",
      "options.ignoredEmpty": "No se ignora nada.",
      "options.remove": "Quitar",
      "options.removeLabel": "Quitar «{text}» (volver a marcarlo)",
      "options.policy": "Política de la organización (guardada en el servidor)",
      "options.policyUnavailable": "Conéctese al servidor para editar la política.",
      "options.staffNames": "Nombres del personal (no son PHI), uno por línea",
      "options.staffHandles": "Cuentas del personal y de la organización, una por línea",
      "options.orgAddresses": "Direcciones de la organización (no son PHI), una por línea",
      "options.orgPhones": "Teléfonos de la organización (no son PHI), uno por línea; el primero va en la respuesta segura a una reseña",
      "options.extraTerms": "Siempre información del paciente (términos PHI adicionales), uno por línea",
      "options.disclaimerShort": "Aviso breve (vacío: el que se muestra por defecto)",
      "options.disclaimerLong": "Aviso largo (vacío: el que se muestra por defecto)",
      "options.rules": "Reglas (desmarque para desactivar una regla en toda la organización)",
      "options.savePolicy": "Guardar la política",
      "options.saved": "Guardado.",
      "options.notSaved": "No se guardó: {error}",
      "options.localOnly": "El servidor debe ejecutarse en este equipo (127.0.0.1 o localhost).",
      "options.checkingToken": "Comprobando el token con ese servidor…",
      "options.nothingSaved": "No emparejado: no se guardó nada.",
      "welcome.pageTitle": "Bienvenido a Carelint",
      "welcome.title": "Bienvenido a Carelint",
      "welcome.intro": "Carelint revisa lo que escribe en los editores de las redes sociales en busca de información de pacientes y de contenido de salud sin respaldo o poco profesional. Todo lo revisa un pequeño servidor en este equipo: nada de lo que escribe sale de él.",
      "welcome.sitesTitle": "Deje entrar a Carelint en sus editores",
      "welcome.sitesMissing": "Carelint no tiene permiso en algunos de los sitios que revisa.",
      "welcome.sitesWhy": "Su navegador deja entrar a una extensión en un sitio web solo mientras usted lo permita. Carelint lee los editores de las redes sociales que admite y envía su texto solo al servidor de Carelint de este equipo.",
      "welcome.allowSites": "Permitir Carelint en estos sitios",
      "welcome.notAllowed": "Sin permiso: Carelint no puede revisar los editores de esos sitios.",
      "welcome.couldNotAsk": "No se pudo pedir el permiso: {error}",
      "welcome.findServer": "1. Encuentre el servidor de Carelint",
      "welcome.looking": "Buscándolo…",
      "welcome.startIt": "Inícielo en una terminal, en la carpeta de Carelint: `make run` (o `carelint serve`). Carelint vuelve a buscar cada dos segundos. ¿Lo ejecuta en otro puerto? Indique su dirección:",
      "welcome.serverAddress": "Dirección del servidor (solo este equipo)",
      "welcome.lookThere": "Buscar ahí",
      "welcome.found": "Encontrado: {url} (Carelint {version})",
      "welcome.missing": "Todavía no hay ningún servidor de Carelint en marcha en este equipo.",
      "welcome.pairTitle": "2. Empareje este navegador con él",
      "welcome.notPaired": "Aún sin emparejar.",
      "welcome.pairHelp": "Pulse “Pair the Carelint extension” en la página del servidor y compruebe que la huella coincide con la línea “Pairing fingerprint” que imprimió `carelint serve`. Si la página le pide iniciar sesión, abra el enlace que imprimió la terminal (o ejecute `carelint open`).",
      "welcome.openServer": "Abrir la página del servidor para emparejar",
      "welcome.paired": "Emparejado con {server} (huella {fingerprint}).",
      "welcome.tryTitle": "3. Pruébelo (30 segundos)",
      "welcome.tryIntro": "Una publicación de ejemplo como la escribiría una clínica. Revísela, cámbiela y vuelva a revisarla: las mismas revisiones se hacen en todos los editores que Carelint admite.",
      "welcome.sample": "Publicación de ejemplo",
      "welcome.sampleText": "¡Felicidades a nuestro paciente Julio Ramírez por su nueva cadera! 🎉 Nuestras gotas de cúrcuma curan la artritis.",
      "welcome.checkSample": "Revisar el ejemplo",
      "welcome.pairFirst": "Primero empareje: el ejemplo lo revisa su servidor.",
      "welcome.ready": "Listo: revise el ejemplo.",
      "welcome.checking": "Revisando…",
      "welcome.noAnswer": "El servidor no respondió; ¿sigue en marcha?",
      "welcome.findings": "{count} avisos:",
      "welcome.findingsOne": "1 aviso:",
      "welcome.outro": "En un editor, pase el cursor sobre un resaltado para ver su tarjeta; pulse la etiqueta junto al editor para ver la lista de avisos; las opciones de Carelint guardan los nombres del personal, los teléfonos y los avisos legales de su organización.",
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

  /** The browser's language, when Carelint speaks it (the extension's own pages, the chip). */
  C.uiLanguage = () => {
    const lang = (globalThis.navigator && navigator.language ? navigator.language : "en").toLowerCase();
    return C.LANGUAGES.find((l) => lang === l || lang.startsWith(`${l}-`)) || "en";
  };

  /** The server's state in words, in the browser's language. @param {string} status */
  C.statusText = (status) => {
    const text = C.t(C.uiLanguage(), `status.${status}`);
    return text === `status.${status}` ? status : text;
  };

  /** `code` in a string becomes a <code> element, the rest text. @param {Element} el @param {string} text */
  C.fillText = (el, text) => {
    el.replaceChildren(
      ...text.split(/(`[^`]+`)/).map((part) => {
        if (part.length > 2 && part.startsWith("`") && part.endsWith("`")) {
          const code = document.createElement("code");
          code.textContent = part.slice(1, -1);
          return code;
        }
        return document.createTextNode(part);
      }),
    );
  };

  /**
   * A page in `lang`: each element with a data-i18n key gets that string, data-i18n-attr="title:key"
   * sets attributes, and the document's lang follows.
   * @param {Document} doc @param {string} lang
   */
  C.localise = (doc, lang) => {
    for (const el of doc.querySelectorAll("[data-i18n]")) C.fillText(el, C.t(lang, /** @type {HTMLElement} */ (el).dataset.i18n || ""));
    for (const el of doc.querySelectorAll("[data-i18n-attr]")) {
      for (const pair of (/** @type {HTMLElement} */ (el).dataset.i18nAttr || "").split(",")) {
        const [attr, key] = pair.split(":");
        if (attr && key) el.setAttribute(attr.trim(), C.t(lang, key.trim()));
      }
    }
    doc.documentElement.lang = lang;
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
