import pytest

from carelint.nlp import load_pipeline
from carelint.settings import DEFAULT_MODEL


@pytest.fixture(scope="session")
def nlp():
    """The real pipeline, loaded once for the whole test session."""
    return load_pipeline(DEFAULT_MODEL)
