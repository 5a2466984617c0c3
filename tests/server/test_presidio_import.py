"""Presidio is imported without checking its own 170-odd patterns (a start-up cost), and the
check is back for every pattern made afterwards."""

import json
import subprocess
import sys

import pytest

FRESH = """
import json
import carelint.phi
from carelint.phi import presidio_import
from presidio_analyzer import Pattern
from presidio_analyzer.predefined_recognizers import UrlRecognizer
try:
    Pattern("broken", "(unclosed", 0.5)
    later = "accepted"
except ValueError:
    later = "refused"
url = UrlRecognizer().analyze("see www.example.org today", ["URL"])
print(json.dumps({"skipped": presidio_import.skipped, "later": later, "url": [r.start for r in url]}))
"""


def test_presidio_patterns_are_not_checked_at_import_but_later_ones_are():
    out = subprocess.run([sys.executable, "-c", FRESH], capture_output=True, text=True, timeout=120, check=True)
    facts = json.loads(out.stdout.strip().splitlines()[-1])
    assert facts["skipped"] >= 100  # Presidio's predefined recognizers' patterns
    assert facts["later"] == "refused"
    assert facts["url"] == [4]  # Presidio's own patterns still work


def test_carelint_patterns_are_still_checked():
    from presidio_analyzer import Pattern

    with pytest.raises(ValueError, match="Invalid regex"):
        Pattern("broken", "[a-", 0.5)
