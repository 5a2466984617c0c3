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


@pytest.fixture()
def app_client(tmp_path, checker):
    """A TestClient of the whole app on the shared checker: app_client(token, **settings)."""
    from fastapi.testclient import TestClient

    from carelint.app import create_app
    from carelint.settings import RuntimeSettings

    def make(token: str, **overrides):
        options = dict(config_dir=tmp_path / "config", token=token, max_body_bytes=50_000, workers=1) | overrides
        return TestClient(create_app(RuntimeSettings(**options), checker=checker), base_url="http://127.0.0.1:8787")

    return make
