"""Learned decisions over the detectors' broad candidates (see decide.py for the one entry point).

- wordpiece.py, encoder.py: a small sentence encoder (paraphrase-MiniLM-L3-v2, ONNX, shipped in a
  pinned PyPI package) that turns each sentence into a vector once per paragraph.
- features.py: what a decision sees, the same at training (train/build.py) and at run time.
- model.py: the trained heads (logistic regressions, data/decisions.npz) and their thresholds.
- decide.py: severities for identifier candidates, and sentence-level findings (a disclosure of
  care, a claim, advice, tone, language) where no hand-written rule matched.
"""
