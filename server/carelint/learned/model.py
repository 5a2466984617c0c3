"""The trained decision heads: one logistic regression each, stored as numbers (data/decisions.npz)
with their feature names and thresholds (data/decisions.json). `make train` rebuilds both."""

from __future__ import annotations

import json
import re
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

    @property
    def _effective(self) -> tuple[np.ndarray, float]:
        """((x - mean) / scale) @ w + b as x @ w' + b': one pass over a row of ~17,000 features."""
        cached = self.__dict__.get("_folded")
        if cached is None:
            w = (self.weights / self.scale).astype(np.float32)
            cached = (w, float(self.bias - (self.mean / self.scale) @ self.weights))
            object.__setattr__(self, "_folded", cached)
        return cached

    def proba(self, x: np.ndarray) -> np.ndarray:
        if x.shape[-1] != len(self.features):
            raise ValueError(f"head {self.name}: {x.shape[-1]} features given, {len(self.features)} expected")
        z = x @ self._effective[0] + self._effective[1]
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    def severity(self, p: float) -> str | None:
        for level in ("high", "medium", "low"):
            t = self.thresholds.get(level)
            if t is not None and p >= t:
                return level
        return None


class ModelMissing(RuntimeError):
    pass


_NUMBERED = re.compile(r"^(.*?)(\d+)$")
_RUN = re.compile(r"^(.*)\[(\d+):(\d+)\]$")


def compact(names: tuple[str, ...]) -> list[str]:
    """Feature names with runs of numbered names ("w0" ... "w16383") written as "w[0:16384]"."""
    out: list[str] = []
    run: tuple[str, int, int] | None = None  # prefix, first, next
    for name in names:
        m = _NUMBERED.match(name)
        if run and m and m.group(1) == run[0] and int(m.group(2)) == run[2]:
            run = (run[0], run[1], run[2] + 1)
            continue
        if run:
            out.append(f"{run[0]}[{run[1]}:{run[2]}]")
            run = None
        if m:
            run = (m.group(1), int(m.group(2)), int(m.group(2)) + 1)
        else:
            out.append(name)
    if run:
        out.append(f"{run[0]}[{run[1]}:{run[2]}]")
    return out


def expand(names: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for name in names:
        m = _RUN.match(name)
        out += [f"{m.group(1)}{i}" for i in range(int(m.group(2)), int(m.group(3)))] if m else [name]
    return tuple(out)


def load_heads(weights: Path = WEIGHTS_FILE, meta: Path = META_FILE) -> dict[str, Head]:
    if not weights.exists() or not meta.exists():
        raise ModelMissing(f"The decision model is missing ({weights.name}): run `make train`.")
    info = json.loads(meta.read_text(encoding="utf-8"))
    arrays = np.load(weights)
    return {
        name: Head(name=name, features=expand(h["features"]), mean=arrays[f"{name}.mean"],
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
        "heads": {name: {"features": compact(h.features), "thresholds": h.thresholds} for name, h in heads.items()},
    }, indent=1) + "\n", encoding="utf-8")
