"""The trained decision heads: one logistic regression each, stored as numbers (data/decisions.npz)
with their feature names and thresholds (data/decisions.json). `make train` rebuilds both."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DATA = Path(__file__).parent / "data"
WEIGHTS_FILE = DATA / "decisions.npz"
META_FILE = DATA / "decisions.json"


@dataclass(frozen=True)
class Head:
    name: str
    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float
    thresholds: dict[str, float]  # severity -> lowest probability that earns it (and "demote", see decide.py)

    def proba(self, x: np.ndarray) -> np.ndarray:
        if x.shape[-1] != len(self.features):
            raise ValueError(f"head {self.name}: {x.shape[-1]} features given, {len(self.features)} expected")
        z = ((x - self.mean) / self.scale) @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    def severity(self, p: float) -> str | None:
        for level in ("high", "medium", "low"):
            t = self.thresholds.get(level)
            if t is not None and p >= t:
                return level
        return None


class ModelMissing(RuntimeError):
    pass


def load_heads(weights: Path = WEIGHTS_FILE, meta: Path = META_FILE) -> dict[str, Head]:
    if not weights.exists() or not meta.exists():
        raise ModelMissing(f"The decision model is missing ({weights.name}): run `make train`.")
    info = json.loads(meta.read_text(encoding="utf-8"))
    arrays = np.load(weights)
    return {
        name: Head(name=name, features=tuple(h["features"]), mean=arrays[f"{name}.mean"],
                   scale=arrays[f"{name}.scale"], weights=arrays[f"{name}.weights"],
                   bias=float(arrays[f"{name}.bias"]), thresholds=dict(h["thresholds"]))
        for name, h in info["heads"].items()
    }


def save_heads(heads: dict[str, Head], about: dict, weights: Path = WEIGHTS_FILE, meta: Path = META_FILE) -> None:
    arrays = {}
    for name, h in heads.items():
        arrays |= {f"{name}.mean": h.mean.astype(np.float32), f"{name}.scale": h.scale.astype(np.float32),
                   f"{name}.weights": h.weights.astype(np.float32), f"{name}.bias": np.float32(h.bias)}
    np.savez_compressed(weights, **arrays)
    meta.write_text(json.dumps({
        "about": about,
        "heads": {name: {"features": list(h.features), "thresholds": h.thresholds} for name, h in heads.items()},
    }, indent=1) + "\n", encoding="utf-8")
