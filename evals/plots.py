"""The report's plots, as PNG bytes (matplotlib, no display needed)."""

from __future__ import annotations

import io
from typing import Any

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

OURS, BASELINE = "#0b5394", "#b0b0b0"


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def latency_histogram(report: dict[str, Any]) -> bytes:
    """Ours and the baseline on one axis; the slowest 1 % are gathered in the last bar so
    one slow first call does not squash the rest."""
    ours = [c["latency_ms"] for c in report["cases"] if c.get("latency_ms") is not None]
    base_cases = (report.get("baseline") or {}).get("cases") or []
    base = [c["latency_ms"] for c in base_cases if c.get("latency_ms") is not None]
    everything = np.asarray(ours + base or [1.0], dtype=float)
    top = max(float(np.percentile(everything, 99)) * 1.15, 1e-3)
    bins = np.linspace(0.0, top, 41)
    fig, ax = plt.subplots(figsize=(7, 3.4))
    ax.hist(np.clip(ours, 0, top), bins=bins, color=OURS, alpha=0.85, label=f"ours (n={len(ours)})")
    if base:
        ax.hist(np.clip(base, 0, top), bins=bins, color=BASELINE, alpha=0.7, label=f"baseline (n={len(base)})")
    p50, p95 = report["metrics"].get("latency_p50_ms"), report["metrics"].get("latency_p95_ms")
    for value, style, name in ((p50, "--", "ours p50"), (p95, ":", "ours p95")):
        if value is not None:
            ax.axvline(min(value, top), color="black", linestyle=style, linewidth=1, label=name)
    title = "Time per answer" + (f" (ours: p50 {p50:.1f} ms, p95 {p95:.1f} ms)" if p50 is not None else "")
    slow = int((everything > top).sum())
    xlabel = "milliseconds per answer" + (f" ({slow} slower answer(s) counted in the last bar)" if slow else "")
    ax.set(title=title, xlabel=xlabel, ylabel="cases")
    ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def tag_bars(report: dict[str, Any], metric: str = "pass_rate") -> bytes:
    """Per tag, the share of cases meeting every expectation: ours against the baseline."""
    ours = report.get("by_tag") or {}
    base = (report.get("baseline") or {}).get("by_tag") or {}
    tags = sorted(ours, key=lambda t: (-(ours[t].get("cases") or 0), t))
    fig, ax = plt.subplots(figsize=(7.5, 1.2 + 0.3 * max(1, len(tags))))
    positions = np.arange(len(tags))
    height = 0.4 if base else 0.7
    series = [("ours", OURS, [ours[t].get(metric) for t in tags])]
    if base:
        series.append(("baseline", BASELINE, [(base.get(t) or {}).get(metric) for t in tags]))
    for i, (name, colour, values) in enumerate(series):
        offset = (i - (len(series) - 1) / 2) * height
        bars = ax.barh(positions + offset, [v or 0.0 for v in values], height, color=colour, label=name)
        labels = ["n/a" if v is None else f"{v:.2f}" for v in values]
        ax.bar_label(bars, labels=labels, padding=2, fontsize=7)
    ax.set_yticks(positions, [f"{t} ({ours[t].get('cases')})" for t in tags], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.1)
    ax.set_title("Share of cases meeting every expectation, by tag (number of cases)", fontsize=10, pad=24)
    ax.set_xlabel(metric.replace("_", " "))
    ax.legend(frameon=False, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)
