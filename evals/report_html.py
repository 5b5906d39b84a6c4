"""report.html: one standalone file (inline CSS, plots embedded as PNG data), to open
in any browser or attach to an email. Same content as report.md, plus the plots."""

from __future__ import annotations

import base64
import html
from typing import Any

from . import tables
from .tables import Table

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1b1b1b;max-width:1100px;margin:2em auto;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.8em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5em 0;font-size:13px}
th,td{border:1px solid #d6d6d6;padding:3px 7px;text-align:left;vertical-align:top}
th{background:#f1f4f8}td.num{text-align:right;font-variant-numeric:tabular-nums}
dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px}dt{font-weight:600}
img{max-width:100%;height:auto;display:block;margin:.6em 0}
"""


def _is_number(text: str) -> bool:
    return text.replace(".", "", 1).replace("—", "").isdigit() or text == "—"


def html_table(table: Table) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in table.headers)
    body = "".join(
        "<tr>"
        + "".join(f'<td class="num">{html.escape(c)}</td>' if _is_number(c) else f"<td>{html.escape(c)}</td>" for c in row)
        + "</tr>"
        for row in table.rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _image(png: bytes, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'


def render(report: dict[str, Any], plots: dict[str, bytes]) -> str:
    """`plots`: {"latency": png, "tags": png} (either may be missing)."""
    name = report["set"]["path"].rsplit("/", 1)[-1]
    parts = [f"<h1>Evaluation: {html.escape(name)}</h1>", "<dl>"]
    parts += [f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in tables.about(report)]
    parts += ["</dl>", "<h2>Headline</h2>", html_table(tables.headline(report))]
    if "latency" in plots:
        parts += ["<h2>Time per answer</h2>", _image(plots["latency"], "latency histogram")]
    problems = tables.problems(report)
    if problems:
        parts += ["<h2>Problems in the set</h2><ul>", *[f"<li>{html.escape(p)}</li>" for p in problems], "</ul>"]
    notes = tables.notes(report)
    if notes:
        parts += ["<h2>Notes</h2><ul>", *[f"<li>{html.escape(n)}</li>" for n in notes], "</ul>"]
    tag_table = tables.by_tag(report)
    if tag_table.rows:
        parts += ["<h2>By tag</h2>"]
        if "tags" in plots:
            parts.append(_image(plots["tags"], "pass rate by tag, ours and baseline"))
        parts.append(html_table(tag_table))
    failures = tables.failures(report)
    parts += [f"<h2>Failures ({len(failures.rows)})</h2>", html_table(failures) if failures.rows else "<p>None.</p>"]
    body = "\n".join(parts)
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Evaluation: {html.escape(name)}</title><style>{CSS}</style></head>\n<body>\n{body}\n</body></html>\n"
    )
