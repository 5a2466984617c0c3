import pytest

from carelint.nlp import load_pipeline
from carelint.settings import DEFAULT_MODEL


@pytest.fixture(scope="session")
def nlp():
    """The real pipeline, loaded once for the whole test session."""
    return load_pipeline(DEFAULT_MODEL)


@pytest.fixture(scope="session")
def checker(nlp):
    """The full engine (PHI + rule packs) on the shared pipeline."""
    from carelint.engine import Checker

    return Checker(nlp)


@pytest.fixture(scope="session")
def phi_checker(nlp):
    """PHI detection alone (no rule packs), for tests of the PHI engine."""
    from carelint.engine import Checker

    return Checker(nlp, with_rules=False)
