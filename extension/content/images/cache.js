// @ts-check
// Pictures, part 1 of 3: bytes, hash and check. The bytes of an attachment (a File, or the
// blob behind a preview <img>) are hashed (SHA-256) and checked once per hash: they go to
// the service worker as a data: URL (messages are JSON), which posts them to the local
// server's /v1/check-image. Results are cached per hash, so re-renders of the same preview
// never re-check. Discovery (which pictures belong to a composer) and the overlay (boxes,
// badge, card) are content/images/discovery.js and overlay.js.
(() => {
  const C = globalThis.Carelint;
  const MAX_BYTES = 15 * 1024 * 1024;
  const CACHE_SIZE = 24;
  const OFFLINE_RETRY_MS = 10000;

  /** @type {Map<string, Carelint.ImageCheck>} hash -> check (the latest CACHE_SIZE) */
  const checks = new Map();
  /** @type {Set<string>} `${hash}\u0000${finding.id}` */
  const ignored = new Set();
  /** @type {Set<() => void>} */
  const listeners = new Set();
  /** @type {(hash: string) => boolean} hashes still shown or attached: never evicted */
  let inUse = () => false;

  const changed = () => {
    for (const fn of listeners) fn();
  };

  /** @param {ArrayBuffer} buffer @returns {Promise<string>} */
  async function sha256(buffer) {
    if (crypto.subtle) {
      const d = new Uint8Array(await crypto.subtle.digest("SHA-256", buffer));
      return [...d].map((b) => b.toString(16).padStart(2, "0")).join("");
    }
    // Insecure contexts have no SubtleCrypto: two seeded FNV-1a passes are enough for a cache key.
    const bytes = new Uint8Array(buffer);
    let a = 0x811c9dc5;
    let b = 0x01000193 ^ bytes.length;
    for (let i = 0; i < bytes.length; i++) {
      a = Math.imul(a ^ bytes[i], 16777619) >>> 0;
      b = Math.imul(b ^ bytes[bytes.length - 1 - i], 16777619) >>> 0;
    }
    return `fnv-${bytes.length}-${a.toString(16)}-${b.toString(16)}`;
  }

  /** @param {Blob} blob @returns {Promise<string>} */
  const dataUrlOf = (blob) =>
    new Promise((resolve, reject) => {
      const r = new FileReader();
      r.onload = () => resolve(/** @type {string} */ (r.result));
      r.onerror = () => reject(r.error);
      r.readAsDataURL(blob);
    });

  /** @param {string} hash @param {Carelint.ImageCheck} check */
  function remember(hash, check) {
    checks.delete(hash);
    checks.set(hash, check);
    while (checks.size > CACHE_SIZE) {
      const oldest = /** @type {string} */ (checks.keys().next().value);
      if (inUse(oldest)) break;
      checks.delete(oldest);
    }
  }

  // Hash a blob and make sure a check of its bytes exists (cached, in flight or new).
  /** @param {Blob | null} blob @returns {Promise<string | null>} */
  async function checkBlob(blob) {
    if (!blob || !/^image\//i.test(blob.type || "image/")) return null;
    if (blob.size > MAX_BYTES) {
      const hash = `too-large-${blob.size}`;
      if (!checks.has(hash)) {
        remember(hash, { hash, state: "too-large", findings: [], result: null, status: "unknown", at: Date.now(), promise: Promise.resolve() });
      }
      return hash;
    }
    const hash = await sha256(await blob.arrayBuffer());
    const known = checks.get(hash);
    const stale = known && known.state === "offline" && Date.now() - known.at > OFFLINE_RETRY_MS;
    if (known && !stale) return hash;
    /** @type {Carelint.ImageCheck} */
    const check = { hash, state: "checking", findings: [], result: null, status: "unknown", at: Date.now(), promise: Promise.resolve() };
    check.promise = dataUrlOf(blob)
      .then((dataUrl) => C.send({ type: C.MSG.CHECK_IMAGE, dataUrl }))
      .then(
        /** @param {Carelint.ImageResponse} resp */
        (resp) => {
          check.status = resp.status;
          if (resp.ok && !resp.offline && resp.result) {
            check.state = "done";
            check.result = resp.result;
            check.findings = (resp.result.findings || []).filter((f) => f && typeof f.message === "string");
          } else if (resp.ok) check.state = "offline";
          else check.state = "error";
        },
        () => {
          check.state = "offline";
        },
      )
      .finally(() => {
        check.at = Date.now();
        changed();
      });
    remember(hash, check);
    changed();
    return hash;
  }

  // Bytes behind a preview: blob: URLs are same-origin for the page, so fetch reads them;
  // a canvas copy is the fallback (its bytes differ from the file's, so no cache share).
  /** @param {HTMLImageElement} img @returns {Promise<Blob | null>} */
  async function blobOfImg(img) {
    try {
      const r = await fetch(img.currentSrc || img.src);
      if (r.ok) return await r.blob();
    } catch {
      /* revoked or unreadable: try the pixels */
    }
    if (!img.complete || !img.naturalWidth) {
      await new Promise((resolve, reject) => {
        img.addEventListener("load", resolve, { once: true });
        img.addEventListener("error", reject, { once: true });
        setTimeout(reject, 10000);
      });
    }
    const canvas = document.createElement("canvas");
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const context = canvas.getContext("2d");
    if (!context) return null;
    context.drawImage(img, 0, 0);
    return new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  }

  C.imageChecks = {
    get: (hash) => checks.get(hash),
    check: checkBlob,
    bytesOf: blobOfImg,

    // The findings of a checked picture the user should see (threshold, ignored ones out).
    visible(hash) {
      const check = checks.get(hash);
      if (!check || check.state !== "done") return [];
      const min = C.SEVERITY_RANK[C.settings.minSeverity] || 1;
      return check.findings.filter((f) => !ignored.has(`${hash}\u0000${f.id}`) && (C.SEVERITY_RANK[f.severity] || 0) >= min);
    },

    ignore(hash, findingId) {
      ignored.add(`${hash}\u0000${findingId}`);
      changed();
    },

    // After a token or server change: forget the checks that did not get an answer.
    forgetUnanswered() {
      for (const [hash, c] of checks) if (c.state !== "done" && c.state !== "checking") checks.delete(hash);
    },

    onChange(fn) {
      listeners.add(fn);
    },

    keepWhile(fn) {
      inUse = fn;
    },
  };
})();
