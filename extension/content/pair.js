// @ts-check
// Runs on every http://127.0.0.1 and http://localhost page, whatever program serves it, so it
// trusts nothing on the page and reads no secret from its markup. A real click on
// #pair-extension asks the page's own server for GET /v1/pairing: only a browser signed in
// through the one-time link `carelint serve` prints gets an answer. The page's origin and
// that token go to the service worker, which checks the token against that server and opens
// Carelint's confirmation tab (the address and the fingerprint it computes itself, to compare
// with the terminal); nothing is stored unless the user confirms there.
(() => {
  const C = globalThis.Carelint;
  const root = document.documentElement;
  root.dataset.carelintExtension = "present";
  let busy = false;

  /** @param {string} text */
  const say = (text) => {
    const status = document.getElementById("pair-status");
    if (status) status.textContent = text;
  };
  // For the page and the tests: checking | confirming | paired | cancelled | failed.
  /** @param {string} state */
  const mark = (state) => {
    root.dataset.carelintPairing = state;
  };

  /** The token this page's server gives to its signed-in page. */
  async function tokenFromOwnServer() {
    let r;
    try {
      r = await fetch(new URL("/v1/pairing", location.origin).href, {
        credentials: "same-origin",
        cache: "no-store",
        headers: { Accept: "application/json" },
      });
    } catch {
      throw new Error("this page's server did not answer.");
    }
    if (r.status === 401) {
      throw new Error("this page is not signed in. Open the link `carelint serve` printed (or run `carelint open`), then click Pair again.");
    }
    if (!r.ok) throw new Error(`this page's server gave no pairing details (HTTP ${r.status}).`);
    const body = await r.json().catch(() => null);
    if (!body || typeof body.token !== "string") throw new Error("this page's server gave no pairing details.");
    return body.token;
  }

  document.addEventListener(
    "click",
    async (e) => {
      const button = e.target instanceof Element && e.target.closest("#pair-extension");
      if (!button || !e.isTrusted || busy) return; // only a real user click pairs
      busy = true;
      mark("checking");
      say("Checking this server…");
      try {
        const token = await tokenFromOwnServer();
        const r = await chrome.runtime.sendMessage({ type: C.MSG.PAIR, serverUrl: location.origin, token });
        if (!r || !r.ok) throw new Error((r && r.error) || "the extension did not answer.");
        mark("confirming");
        say("Carelint opened a new tab: pair there only if its fingerprint matches the one `carelint serve` printed in your terminal.");
      } catch (err) {
        mark("failed");
        say(`Not paired: ${String((err && /** @type {Error} */ (err).message) || err)}`);
      } finally {
        busy = false;
      }
    },
    true,
  );

  // The confirmation tab's answer. data-carelint-paired="yes" is what the playground shows.
  chrome.runtime.onMessage.addListener((msg) => {
    if (!msg || msg.type !== C.MSG.PAIR_RESULT) return false;
    if (msg.paired) {
      mark("paired");
      root.dataset.carelintPaired = "yes";
      say("Paired with the Carelint extension.");
    } else {
      mark("cancelled");
      say("Pairing cancelled: the extension stored nothing.");
    }
    return false;
  });

  // Already paired with this very server (same address, token still accepted)?
  chrome.runtime.sendMessage({ type: C.MSG.PAIR_STATE }).then(
    (r) => {
      if (r && r.ok && r.value && r.value.paired) root.dataset.carelintPaired = "yes";
    },
    () => {},
  );
})();
