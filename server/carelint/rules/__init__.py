"""Cited rule packs (claims, advice, tone, language) as data, and the detector that runs them."""

from carelint.rules.loader import Rule, RulePackError, RulePacks, load_packs, packs_dir
from carelint.rules.matcher import LanguageRules, RuleDetector

__all__ = ["LanguageRules", "Rule", "RuleDetector", "RulePackError", "RulePacks", "load_packs", "packs_dir"]
