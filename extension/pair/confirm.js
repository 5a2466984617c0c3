// @ts-check
// The confirmation tab the service worker opens when a local page asks to pair: it shows the
// pending proposal (address and fingerprint, never the token) and stores nothing itself.
import { confirmPairing, send } from "./pairing.js";

const C = globalThis.Carelint;
const LANG = C.uiLanguage(); // the browser's language (shared/strings.js)
C.localise(document, LANG);
document.title = C.t(LANG, "confirm.pageTitle");
const box = /** @type {HTMLElement} */ (document.getElementById("confirmation"));
const title = /** @type {HTMLElement} */ (document.getElementById("title"));
const close = /** @type {HTMLButtonElement} */ (document.getElementById("close-tab"));

close.addEventListener("click", async () => {
  const tab = await chrome.tabs.getCurrent();
  if (tab && tab.id !== undefined) chrome.tabs.remove(tab.id);
  else window.close();
});

/** @param {string} heading */
function done(heading) {
  title.textContent = heading;
  close.hidden = false;
  close.focus();
}

async function main() {
  const id = new URLSearchParams(location.search).get("id");
  /** @type {Carelint.PairingProposal} */
  let proposal;
  try {
    proposal = await send({ type: C.MSG.PAIR_PENDING, id });
  } catch (e) {
    box.dataset.state = "expired";
    const p = document.createElement("p");
    p.setAttribute("role", "status");
    p.textContent = /** @type {Error} */ (e).message;
    box.replaceChildren(p);
    done(C.t(LANG, "confirm.nothing"));
    return;
  }
  const answer = confirmPairing(box, proposal);
  title.focus(); // read the heading and the comparison first; Tab reaches Pair, then Cancel
  const outcome = await answer;
  done(C.t(LANG, outcome === "paired" ? "confirm.paired" : "confirm.notPaired"));
}

main();
