"""Evaluation of answer quality and safety on CONTRACT §3 test sets, and benchmarks.

    python -m evals run evals/sets/dev.jsonl --out reports/dev     # see evals/run.py
    python -m evals compare reports/a reports/b
    python -m evals summary reports/*/
    python -m evals bench
    python -m evals tune

How a run flows, one module per step:

    dataset.py    read the set (bad lines reported with their line number)
    answerers.py  where answers come from: the engine, POST /api/ask, gradio_client
    baseline.py   the naive LangChain-tutorial pipeline, with the same shape
    relevance.py  which passages a case's phrases make relevant (the one definition)
    judge.py      one reply -> relevance of what was retrieved and cited, the case's qrels
    metrics.py    per-case scores and aggregates (IR metrics through ir-measures)
    failures.py   the failures table: expected against got
    runner.py     run the cases of a set through one answerer
    report.py     report.json; report_md.py, report_html.py, plots.py, tables.py render it
    ragas_export.py  ragas.jsonl for evaluators with an LLM judge
    outputs.py    write all of a run's files
    thresholds.py floors per set (evals/thresholds.toml) for CI
    run.py, compare.py, summary.py, bench.py, tune.py   the commands
"""
