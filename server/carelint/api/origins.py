"""Which browser origins may call the API: the server's own page, and Carelint's extension.

Chromium builds of the extension have a fixed ID (the manifest's `key`), so their origin is
known in advance. Firefox gives each install its own UUID: that origin is registered when the
extension pairs (it proves it holds the token) and kept in the config dir.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

# The ID that extension/manifest.json's `key` gives (a test recomputes it from the manifest).
CHROME_EXTENSION_ID = "klaocgiijmgblnmgnbcdechinpbhepge"
CHROME_ORIGIN = f"chrome-extension://{CHROME_EXTENSION_ID}"
EXTENSION_ORIGIN = re.compile(r"^(?:chrome-extension://[a-p]{32}|moz-extension://[0-9a-f-]{36})$")
MAX_REGISTERED = 32


class ExtensionOrigins:
    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self._registered = self._load()

    def _load(self) -> set[str]:
        try:
            lines = self.path.read_text(encoding="utf-8").split()
        except OSError:
            return set()
        return {line for line in lines if EXTENSION_ORIGIN.match(line)}

    def allowed(self, origin: str) -> bool:
        return origin == CHROME_ORIGIN or origin in self._registered

    def register(self, origin: str) -> None:
        """Remember an extension origin that proved it holds the token (Firefox's per-install one)."""
        if not EXTENSION_ORIGIN.match(origin):
            raise ValueError(f"not an extension origin: {origin!r}")
        with self._lock:
            if origin in self._registered or origin == CHROME_ORIGIN:
                return
            self._registered = set(sorted(self._registered)[-(MAX_REGISTERED - 1):]) | {origin}
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write("\n".join(sorted(self._registered)) + "\n")
            tmp.replace(self.path)
