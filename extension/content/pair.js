// Runs only on http://127.0.0.1 and http://localhost pages. On the Carelint server's own
// page (it carries <meta name="carelint-token">), a click on #pair-extension hands the
// page origin and token to the service worker, which checks the token against that server
// before storing it. Other local pages only learn that the extension is installed.
(() => {
  const root = document.documentElement;
  root.dataset.carelintExtension = "present";
  document.addEventListener(
    "click",
    async (e) => {
      const button = e.target instanceof Element && e.target.closest("#pair-extension");
      if (!button || !e.isTrusted) return; // only a real user click pairs
      const meta = document.querySelector('meta[name="carelint-token"]');
      const status = document.getElementById("pair-status");
      const token = meta && meta.content;
      if (!token) return;
      let r;
      try {
        r = await chrome.runtime.sendMessage({ type: "pair", serverUrl: location.origin, token });
      } catch (err) {
        r = { ok: false, error: String(err.message || err) };
      }
      if (r && r.ok) {
        root.dataset.carelintPaired = "yes";
        if (status) status.textContent = "Paired with the Carelint extension.";
      } else {
        root.dataset.carelintPaired = "no";
        if (status) status.textContent = `Pairing failed: ${(r && r.error) || "no answer"}`;
      }
    },
    true,
  );
})();
