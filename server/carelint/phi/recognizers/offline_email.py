"""Presidio's email recognizer without the network: tldextract on its bundled suffix list."""

from __future__ import annotations

import tldextract
from presidio_analyzer.predefined_recognizers import EmailRecognizer

# suffix_list_urls=() means "never fetch"; cache_dir=None means "never write a cache".
# Presidio's own recognizer calls tldextract.extract(), whose default extractor downloads
# the public suffix list on first use.
OFFLINE_TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


class OfflineEmailRecognizer(EmailRecognizer):
    def validate_result(self, pattern_text: str) -> bool:
        return OFFLINE_TLD_EXTRACTOR(pattern_text).fqdn != ""


def make_tldextract_offline() -> None:
    """Point tldextract's module-level extractor at the offline one.

    Our own recognizer does not need this; it protects third-party code paths that call
    tldextract.extract() directly (stock Presidio in the evaluation and benchmarks).
    """
    tldextract.tldextract.TLD_EXTRACTOR = OFFLINE_TLD_EXTRACTOR
