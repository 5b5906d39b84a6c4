"""Evaluation of answer quality and safety on CONTRACT §3 test sets.

    python -m evals run evals/sets/dev.jsonl --out reports/dev
"""
