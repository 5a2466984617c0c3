"""`carelint audit`: scan exported post history (X, Facebook, Instagram, LinkedIn, CSV, JSON, text)
and write a report of the PHI and risky health content already published.

readers.py turns export files into posts, runner.py checks them in batches (optionally in worker
processes), report.py writes the HTML/CSV/JSON report; the command is carelint/cli/audit.py.
"""
