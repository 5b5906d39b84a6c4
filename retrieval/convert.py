"""Turn a saved web article (plain text copied from the page) into clean Markdown.

The page format: a title line, paragraphs, unindented headings, numbered items
("  1. Title" with the body indented below), bullets ("  • text") and, at the
end, the site's boilerplate. What counts as boilerplate and which website names
are glued onto sentence ends is data, in `sources/cleaning.toml`.

Output Markdown conventions (read back by `chunking.py`):
- `# Title`, `## Section`, `### Subsection`
- titled numbered item: `1. **Title**` with its body lines indented to the item text,
  sub-fields as `   - **Description:** ...`
- untitled numbered item: `1. text`; bullet: `- text`
- website names moved out of a sentence: `text. <!-- sources: A; B -->`

Re-run with `python -m retrieval convert` (see cli.py); the result is deterministic.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

_ITEM = re.compile(r"^\s+(\d+)\.\s+(.+)$")
_BULLET = re.compile(r"^\s*[•▪●◦*-]\s+(.+)$")
_LEVEL_PAIR = re.compile(r"\b(L\d|T\d{1,2}|S\d|C\d)\s*[–-]\s*(L\d|T\d{1,2}|S\d|C\d)\b")


@dataclass(frozen=True)
class CleaningRules:
    end_markers: tuple[str, ...]
    drop_lines: tuple[re.Pattern[str], ...]
    site_names: tuple[str, ...]
    field_labels: tuple[str, ...]
    metadata: dict[str, re.Pattern[str]]

    @classmethod
    def load(cls, path: Path) -> CleaningRules:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return cls(
            end_markers=tuple(data.get("end_markers", [])),
            drop_lines=tuple(re.compile(p, re.IGNORECASE) for p in data.get("drop_lines", [])),
            site_names=tuple(sorted(data.get("site_names", []), key=len, reverse=True)),
            field_labels=tuple(data.get("field_labels", [])),
            metadata={k: re.compile(v, re.IGNORECASE) for k, v in data.get("metadata", {}).items()},
        )

    def sites_pattern(self) -> re.Pattern[str] | None:
        if not self.site_names:
            return None
        names = "|".join(re.escape(n) for n in self.site_names)
        # one or more site names glued together, right before a sentence-ending full stop
        return re.compile(rf"(?<=\S)\s+((?:{names})+)\.(?=\s|$)")

    def names_pattern(self) -> re.Pattern[str]:
        return re.compile("|".join(re.escape(n) for n in self.site_names))


@dataclass
class _Line:
    kind: str  # "heading" | "para" | "item" | "body" | "bullet"
    text: str
    number: str = ""
    blanks_before: int = 0


def move_site_names(text: str, rules: CleaningRules) -> str:
    """`...hips RadiopaediaWebMD.` -> `...hips. <!-- sources: Radiopaedia; WebMD -->`."""
    pattern = rules.sites_pattern()
    if pattern is None:
        return text
    names = rules.names_pattern()

    def replace(match: re.Match[str]) -> str:
        found = names.findall(match.group(1))
        return ". <!-- sources: " + "; ".join(found) + " -->"

    return pattern.sub(replace, text)


def _is_heading(line: str) -> bool:
    stripped = line.strip()
    return (
        not line.startswith((" ", "\t"))
        and len(stripped) < 120
        and not stripped.endswith((".", "?", "!", ";", ","))
        and not _BULLET.match(line)
    )


def _classify(lines: list[str]) -> list[_Line]:
    out: list[_Line] = []
    blanks = 0
    for raw in lines:
        if not raw.strip():
            blanks += 1
            continue
        if m := _ITEM.match(raw):
            entry = _Line("item", m.group(2).strip(), number=m.group(1))
        elif m := _BULLET.match(raw):
            entry = _Line("bullet", m.group(1).strip())
        elif raw.startswith((" ", "\t")) and out and out[-1].kind in ("item", "body"):
            entry = _Line("body", raw.strip())
        elif _is_heading(raw):
            entry = _Line("heading", raw.strip().rstrip(":"))
        else:
            entry = _Line("para", raw.strip())
        entry.blanks_before = blanks
        blanks = 0
        out.append(entry)
    return out


def _heading_levels(lines: list[_Line]) -> list[int]:
    """Level 2 or 3 for each heading line (the title is handled apart).

    A heading immediately followed by another heading opens a group: it is a
    section (##) and the headings after it are subsections (###) until a
    heading that opens a new group or follows two or more blank lines.
    """
    levels: list[int] = []
    in_group = False
    for i, line in enumerate(lines):
        if line.kind != "heading":
            levels.append(0)
            continue
        opens_group = i + 1 < len(lines) and lines[i + 1].kind == "heading"
        if opens_group or line.blanks_before >= 2:
            in_group = opens_group
            levels.append(2)
        else:
            levels.append(3 if in_group else 2)
    return levels


def _field(text: str, rules: CleaningRules) -> str:
    for label in rules.field_labels:
        prefix = f"{label}:"
        if text.startswith(prefix):
            return f"**{prefix}** {text[len(prefix):].strip()}"
    return text


def convert(raw_text: str, rules: CleaningRules, source_name: str = "") -> str:
    """Return the Markdown document for one raw article."""
    text = raw_text.replace("\r\n", "\n").replace("\u00a0", " ")
    all_lines = text.split("\n")

    metadata: dict[str, str] = {}
    body: list[str] = []
    ended = False
    for line in all_lines:
        stripped = line.strip()
        if any(stripped.startswith(m) for m in rules.end_markers):
            ended = True
        dropped = ended or any(p.fullmatch(stripped) for p in rules.drop_lines)
        if dropped:
            for key, pattern in rules.metadata.items():
                if (m := pattern.match(stripped)) and key not in metadata:
                    metadata[key] = m.group(1).strip()
            continue
        body.append(line)

    while body and not body[0].strip():
        body.pop(0)
    title = _LEVEL_PAIR.sub(r"\1–\2", body.pop(0).strip()) if body else source_name

    lines = _classify(body)
    levels = _heading_levels(lines)

    out: list[str] = ["---", f"title: {title}"]
    if source_name:
        out.append(f"source: {source_name}")
    out += [f"{k}: {v}" for k, v in sorted(metadata.items())]
    out += ["---", "", f"# {title}", ""]

    indent = "   "
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        txt = move_site_names(line.text, rules)
        if line.kind == "heading":
            out += ["#" * levels[i] + " " + line.text, ""]
        elif line.kind == "para":
            out += [txt, ""]
        elif line.kind == "bullet":
            out += [f"- {txt}", ""]
        elif line.kind == "item":
            titled = nxt is not None and nxt.kind == "body"
            indent = " " * (len(line.number) + 2)  # body lines align with the item text
            out.append(f"{line.number}. **{txt}**" if titled else f"{line.number}. {txt}")
            if not titled:
                out.append("")
        elif line.kind == "body":
            field = _field(txt, rules)
            out.append(f"{indent}- {field}" if field != txt else f"{indent}{txt}")
            if nxt is None or nxt.kind != "body":
                out.append("")
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n"


def slugify(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.casefold()).strip("-")
    return slug or "document"


def convert_file(raw_path: Path, out_dir: Path, rules_path: Path) -> Path:
    rules = CleaningRules.load(rules_path)
    markdown = convert(raw_path.read_text(encoding="utf-8"), rules, source_name=raw_path.name)
    title = markdown.split("\n", 2)[1].removeprefix("title: ")
    out_path = out_dir / f"{slugify(title)}.md"
    out_dir.mkdir(parents=True, exist_ok=True)
    out_path.write_text(markdown, encoding="utf-8")
    return out_path
