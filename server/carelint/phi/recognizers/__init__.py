"""Carelint's own PHI recognizers: pattern data (patterns.toml) and small classes."""

from carelint.phi.recognizers.first_names import FirstNameRecognizer
from carelint.phi.recognizers.offline_email import OfflineEmailRecognizer
from carelint.phi.recognizers.pattern_data import PatternSpec, load_pattern_specs

__all__ = ["FirstNameRecognizer", "OfflineEmailRecognizer", "PatternSpec", "load_pattern_specs"]
