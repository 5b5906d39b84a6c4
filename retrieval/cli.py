"""Command line (docs/interfaces.md, "Command line"):

    python -m retrieval build [--if-stale]
    python -m retrieval ask "QUESTION" [--k 5] [--json]
    python -m retrieval ask --jsonl FILE [--k 5]
    python -m retrieval status
    python -m retrieval convert [RAW ...] [--out corpus/]

Argument parsing, --help and `status` never import the model.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from .errors import ChatbotError, SettingsError
from .settings import load_settings

EXIT_OK, EXIT_UNAVAILABLE, EXIT_USAGE = 0, 2, 64
MAX_JSONL_LINE = 1_000_000


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m retrieval", description="Cited answers from corpus/.")
    sub = parser.add_subparsers(dest="command", required=True)

    build = sub.add_parser("build", help="(re)build index/ from corpus/")
    build.add_argument("--if-stale", action="store_true", help="do nothing when the index is current")
    build.add_argument("--quiet", action="store_true", help="no progress bar")

    ask = sub.add_parser("ask", help="answer a question, or a JSONL file of questions")
    ask.add_argument("question", nargs="?", help="the question (omit with --jsonl)")
    ask.add_argument("--k", type=int, default=None, help="passages to retrieve (default from settings: 5)")
    ask.add_argument("--json", action="store_true", help="print the answer object as JSON")
    ask.add_argument("--jsonl", metavar="FILE", help='batch: one {"question": ...} per line ("-" for stdin)')

    sub.add_parser("status", help="say whether index/ is current for corpus/")

    convert = sub.add_parser("convert", help="turn saved web articles into clean Markdown under corpus/")
    convert.add_argument("raw", nargs="*", type=Path, help="raw article files (default: sources/raw/*.txt)")
    convert.add_argument("--out", type=Path, default=None, help="output folder (default: corpus/)")
    convert.add_argument("--rules", type=Path, default=Path("sources") / "cleaning.toml")
    return parser


def _fail(message: str, code: int = EXIT_UNAVAILABLE) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def _cmd_build(args: argparse.Namespace, settings: Any) -> int:
    from .index_store import build_index, index_status

    if args.if_stale:
        status = index_status(settings.index_dir, settings.corpus_dir)
        if status.fresh:
            print(f"index is current ({settings.index_dir})")
            return EXIT_OK
        print(f"building the index: {status.reason}", file=sys.stderr)
    started = time.perf_counter()
    manifest = build_index(settings.corpus_dir, settings.index_dir, progress=not args.quiet)
    counts = manifest["counts"]
    print(
        f"built {settings.index_dir}: {counts['passages']} passages from {counts['documents']} document(s) "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return EXIT_OK


def _cmd_status(args: argparse.Namespace, settings: Any) -> int:
    from .index_store import index_status

    status = index_status(settings.index_dir, settings.corpus_dir)
    if status.fresh:
        print(f"index is current ({settings.index_dir})")
        return EXIT_OK
    print(f"index is not current: {status.reason}")
    return 1


def _bad_line(engine: Any, problem: str) -> dict[str, Any]:
    """An answer object for a line that could not be read: the disclaimer stays, `error` says why."""
    reply = engine.answer("").to_dict()
    reply["error"] = problem
    return reply


def _answer_line(engine: Any, line: str, k: int | None) -> dict[str, Any]:
    if len(line) > MAX_JSONL_LINE:
        return _bad_line(engine, f"line longer than {MAX_JSONL_LINE} characters")
    try:
        case = json.loads(line)
    except json.JSONDecodeError as exc:
        return _bad_line(engine, f"not valid JSON: {exc.msg} at column {exc.colno}")
    if not isinstance(case, dict) or not isinstance(case.get("question"), str):
        return _bad_line(engine, 'each line must be an object with a string "question"')
    reply = engine.answer(case["question"], case.get("history"), k).to_dict()
    if "id" in case:
        reply["case_id"] = case["id"]
    return reply


def run_jsonl(engine: Any, stream: TextIO, out: TextIO, k: int | None) -> int:
    for raw in stream:
        line = raw.strip()
        if not line:
            continue
        out.write(json.dumps(_answer_line(engine, line, k), ensure_ascii=False) + "\n")
        out.flush()
    return EXIT_OK


def _cmd_ask(args: argparse.Namespace, settings: Any) -> int:
    if args.jsonl is None and args.question is None:
        return _fail('give a question, or --jsonl FILE (see: python -m retrieval ask --help)', EXIT_USAGE)
    stream: TextIO | None = None
    if args.jsonl not in (None, "-"):
        try:
            stream = open(args.jsonl, encoding="utf-8", errors="replace")  # noqa: SIM115 - closed below
        except OSError as exc:
            return _fail(f"cannot read {args.jsonl}: {exc.strerror}")

    from .engine import Engine
    from .render import text

    engine = Engine.load(settings)
    try:
        if args.jsonl is not None:
            return run_jsonl(engine, stream or sys.stdin, sys.stdout, args.k)
        reply = engine.answer(args.question, k=args.k).to_dict()
        print(json.dumps(reply, ensure_ascii=False, indent=2) if args.json else text(reply))
        return EXIT_OK
    finally:
        if stream is not None:
            stream.close()


def _cmd_convert(args: argparse.Namespace, settings: Any) -> int:
    from .convert import convert_file

    raws = args.raw or sorted(Path("sources", "raw").glob("*.txt"))
    if not raws:
        return _fail("no raw articles given and none in sources/raw/")
    for raw in raws:
        out = convert_file(raw, args.out or settings.corpus_dir, args.rules)
        print(f"{raw} -> {out}")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        return _fail(str(exc), EXIT_USAGE)
    command = {"build": _cmd_build, "status": _cmd_status, "convert": _cmd_convert, "ask": _cmd_ask}[args.command]
    try:
        return command(args, settings)
    except ChatbotError as exc:  # no index, a stale or corrupt one, a missing model, bad rules: one line
        return _fail(str(exc))
