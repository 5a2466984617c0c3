"""Cited rule packs (claims, advice, tone, language) as data, and the detector that runs them."""

from carelint.rules.loader import Rule, RulePackError, RulePacks, load_packs
from carelint.rules.matcher import RuleDetector

__all__ = ["Rule", "RuleDetector", "RulePackError", "RulePacks", "load_packs"]
