"""Carelint: a local-only checker for PHI and unprofessional health content in social posts."""

__version__ = "0.1.0"
