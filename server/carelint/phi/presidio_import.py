"""Importing presidio_analyzer without its import-time regex checks.

presidio_analyzer's package imports all of its predefined recognizers, and every `Pattern(...)`
in their class bodies compiles its regex once only to check it, then drops the result (a
recognizer compiles its patterns again, with its flags, when first used). The URL recognizer's
pattern lists some 1,500 top-level domains: the check costs 0.3-0.4 s of every start of the
server and of every `carelint check`. Presidio's own patterns are known to compile, so the check
is skipped while presidio_analyzer itself is imported, and restored right after: patterns made
later (Carelint's, from patterns.toml) are checked as before.

If Presidio renames what is patched here, nothing breaks; the import is just slower again, and
tests/server/test_presidio_import.py says so.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys

_MODULE = "presidio_analyzer.pattern"
_CHECK = "_Pattern__validate_regex"  # Pattern.__validate_regex, name-mangled

skipped = 0  # patterns whose check was skipped (the test reads it)


def _skip(pattern: str) -> None:
    global skipped
    skipped += 1


class _SkipPatternChecks(importlib.abc.MetaPathFinder):
    """Finds presidio_analyzer.pattern as usual and swaps the check out right after it runs."""

    def __init__(self):
        self.saved = None  # (Pattern class, its own check)

    def find_spec(self, name, path, target=None):
        if name != _MODULE:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        run_module = spec.loader.exec_module

        def exec_module(module):
            run_module(module)
            pattern = getattr(module, "Pattern", None)
            if pattern is not None and _CHECK in vars(pattern):
                self.saved = (pattern, vars(pattern)[_CHECK])
                setattr(pattern, _CHECK, staticmethod(_skip))

        spec.loader.exec_module = exec_module
        return spec


def import_presidio() -> None:
    """Import presidio_analyzer, once, skipping the checks of its own patterns."""
    if "presidio_analyzer" in sys.modules:
        return
    finder = _SkipPatternChecks()
    sys.meta_path.insert(0, finder)
    try:
        import presidio_analyzer  # noqa: F401
    finally:
        sys.meta_path.remove(finder)
        if finder.saved:
            pattern, check = finder.saved
            setattr(pattern, _CHECK, check)
