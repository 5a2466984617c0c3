// @ts-check
// The pairing confirmation, one component for the confirmation tab (pairing from the server's
// page) and the options page (address and token typed by hand), plus the "paired with"
// summary the popup and the options page show. The fingerprint is always the extension's own
// computation from the token; the user compares it with the line `carelint serve` printed.
const C = globalThis.Carelint;

/**
 * @template T
 * @param {Record<string, unknown>} msg
 * @returns {Promise<T>}
 */
export async function send(msg) {
  const r = await chrome.runtime.sendMessage(msg);
  if (!r || !r.ok) throw new Error((r && r.error) || "the extension did not answer");
  return r.value;
}

/**
 * @param {string} tag
 * @param {Record<string, string>} [attrs]
 * @param {...(Node | string | null)} children
 */
function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children.filter((c) => c !== null));
  return e;
}

const code = (/** @type {string} */ text, /** @type {Record<string, string>} */ attrs = {}) => el("code", attrs, text);

// The extension's own pages speak the browser's language (shared/strings.js).
/** @param {string} key @param {Record<string, string | number>} [vars] */
const t = (key, vars) => C.t(C.uiLanguage(), key, vars);

/** A paragraph whose `code` parts are code elements. @param {Record<string, string>} attrs @param {string} text */
function para(attrs, text) {
  const p = el("p", attrs);
  C.fillText(p, text);
  return p;
}

/**
 * The server the extension is paired with now, and its fingerprint; null when not paired.
 * @returns {Promise<{serverUrl: string, fingerprint: string} | null>}
 */
export async function currentPairing() {
  const { serverUrl, token } = /** @type {Partial<Carelint.Settings>} */ (await chrome.storage.local.get(["serverUrl", "token"]));
  if (typeof token !== "string" || !token) return null;
  return { serverUrl: C.normalizeServerUrl(serverUrl || C.DEFAULT_SERVER_URL), fingerprint: await C.fingerprint(token) };
}

/**
 * Fill #paired-server / #paired-fingerprint (or show #paired-none) inside `box`.
 * @param {HTMLElement} box
 */
export async function showCurrentPairing(box) {
  const current = await currentPairing();
  const info = /** @type {HTMLElement} */ (box.querySelector("[data-paired]"));
  const none = /** @type {HTMLElement} */ (box.querySelector("[data-not-paired]"));
  info.hidden = !current;
  none.hidden = !!current;
  if (!current) return;
  /** @type {HTMLElement} */ (box.querySelector("#paired-server")).textContent = current.serverUrl;
  /** @type {HTMLElement} */ (box.querySelector("#paired-fingerprint")).textContent = current.fingerprint;
}

/**
 * Render the confirmation of `proposal` into `box`: the address, the fingerprint, what to
 * compare them with, and "Pair with this server" / "Cancel" (Escape cancels too, while it is
 * pending). Resolves
 * once the user has answered: "paired" or "cancelled". `box.dataset.state` follows along
 * (pending, paired, cancelled), and failures are reported in the box without answering.
 * @param {HTMLElement} box
 * @param {Carelint.PairingProposal} proposal
 * @returns {Promise<"paired" | "cancelled">}
 */
export function confirmPairing(box, proposal) {
  return new Promise((resolve) => {
    const pair = el("button", { type: "button", class: "primary", id: "pair-confirm" }, t("pair.pairWith"));
    const cancel = el("button", { type: "button", id: "pair-cancel" }, t("pair.cancel"));
    const outcome = el("p", { id: "pair-outcome", class: "note", role: "status", "aria-live": "polite" });
    const current = proposal.current;
    const replaces =
      current && (current.serverUrl !== proposal.serverUrl || current.fingerprint !== proposal.fingerprint)
        ? para({ id: "pair-replaces", class: "muted" },
            t("pair.replaces", { server: current.serverUrl, fingerprint: current.fingerprint }))
        : null;
    box.dataset.state = "pending";
    box.replaceChildren(
      el(
        "dl",
        { class: "pairing" },
        el("dt", {}, t("pair.serverAddress")),
        el("dd", {}, code(proposal.serverUrl, { id: "pair-server" })),
        el("dt", {}, t("pair.fingerprint")),
        el("dd", {}, code(proposal.fingerprint, { id: "pair-fingerprint", class: "fingerprint" })),
      ),
      para({ id: "pair-compare" }, t("pair.compare")),
      ...(replaces ? [replaces] : []),
      el("div", { class: "row", role: "group", "aria-label": t("pair.pairOrCancel") }, pair, cancel),
      outcome,
    );
    box.setAttribute("aria-describedby", "pair-compare");

    /** @param {boolean} busy */
    const setBusy = (busy) => {
      pair.toggleAttribute("disabled", busy);
      cancel.toggleAttribute("disabled", busy);
    };
    /** @param {"paired" | "cancelled"} state @param {string} text */
    const finish = (state, text) => {
      box.dataset.state = state;
      document.removeEventListener("keydown", onKey);
      pair.remove();
      cancel.remove();
      outcome.textContent = text;
      resolve(state);
    };
    const onPair = async () => {
      setBusy(true);
      outcome.textContent = t("pair.pairing");
      try {
        await send({ type: C.MSG.PAIR_CONFIRM, id: proposal.id });
      } catch (e) {
        setBusy(false);
        outcome.textContent = t("pair.notPaired", { error: /** @type {Error} */ (e).message });
        pair.focus();
        return;
      }
      finish("paired", t("pair.paired", { server: proposal.serverUrl }));
    };
    const onCancel = async () => {
      setBusy(true);
      try {
        await send({ type: C.MSG.PAIR_CANCEL, id: proposal.id });
      } catch {
        /* nothing was stored either way */
      }
      finish("cancelled", t("pair.cancelled"));
    };
    /** @param {KeyboardEvent} e */
    const onKey = (e) => {
      if (e.key === "Escape" && !cancel.hasAttribute("disabled")) {
        e.preventDefault();
        onCancel();
      }
    };
    pair.addEventListener("click", onPair);
    cancel.addEventListener("click", onCancel);
    document.addEventListener("keydown", onKey); // anywhere on the page while it is pending
  });
}
