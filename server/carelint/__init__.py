"""Carelint: a local-only checker for PHI and unprofessional health content in social posts."""

__version__ = "0.1.0"


def __getattr__(name: str):
    # `from carelint import check_batch` without importing spaCy for every command-line start.
    if name == "check_batch":
        from carelint.batch import check_batch

        return check_batch
    raise AttributeError(f"module 'carelint' has no attribute {name!r}")
