"""PHI detection: Presidio and Carelint's recognizers, and the context that decides severity."""

from carelint.phi.presidio_import import import_presidio

import_presidio()  # before any module of this package imports Presidio (see presidio_import.py)
