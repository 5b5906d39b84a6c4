"""Write one run's files into its folder: report.json, report.md, report.html (with the
plots embedded, and also saved as PNG files beside it) and the RAGAS export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import plots, report_html, report_md
from .ragas_export import write_ragas
from .report import write_json
from .runner import Run


def write_reports(out_dir: Path, report: dict[str, Any], ours: Run, baseline: Run | None) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    images = {"latency": plots.latency_histogram(report)}
    if report.get("by_tag"):
        images["tags"] = plots.tag_bars(report)
    files = {
        "report.json": None,
        "report.md": report_md.render(report),
        "report.html": report_html.render(report, images),
    }
    write_json(report, out_dir / "report.json")
    for name, text in files.items():
        if text is not None:
            (out_dir / name).write_text(text, encoding="utf-8")
    for name, png in images.items():
        (out_dir / f"{name}.png").write_bytes(png)
    write_ragas(ours, out_dir / "ragas.jsonl")
    written = [out_dir / n for n in files] + [out_dir / f"{n}.png" for n in images] + [out_dir / "ragas.jsonl"]
    if baseline is not None:
        write_ragas(baseline, out_dir / "ragas_baseline.jsonl")
        written.append(out_dir / "ragas_baseline.jsonl")
    return written
