"""Evaluation of answer quality and safety on test sets (docs/interfaces.md, "Test sets"),
training of the learned artefacts, and benchmarks.

    python -m evals run evals/sets/dev.jsonl --out reports/dev
    python -m evals compare reports/a reports/b
    python -m evals summary reports/*/
    python -m evals bench

One module per concern, in the order a run flows:

    sets.py      test sets, what an answerer gives back, relevance, judging one reply
    metrics.py   per-case scores and aggregates (ir-measures), failures, thresholds
    runner.py    where answers come from (engine, HTTP, Gradio), a run, `evals run`
    baseline.py  the naive LangChain-tutorial pipeline, with the same shape
    reports.py   report.json and what is rendered from it (md, html, plots, ragas)
    compare.py   `evals compare` and `evals summary`
    bench/       `evals bench`, one module per job
    train/       the training commands; decisions the product makes are imported from
                 the product, never copied
"""
