"""Patient chat, clinic HTTP API and embed: `python app.py [--host 127.0.0.1] [--port 7860]`.

Also env HOST and PORT. Builds the index first when it is missing or out of date,
and says so. Serves / (chat), /embed (compact chat), POST /api/ask, GET /health and
/docs (API docs); see README "Web app" and docs/interfaces.md.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence


def parse_args(argv: Sequence[str] | None = None, env: Mapping[str, str] = os.environ) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Serve the patient chat, /embed and the HTTP API.")
    parser.add_argument("--host", default=env.get("HOST", "127.0.0.1"), help="default: env HOST or 127.0.0.1")
    parser.add_argument("--port", type=int, default=int(env.get("PORT", "7860")), help="default: env PORT or 7860")
    return parser.parse_args(argv)


def main() -> int:
    args = parse_args()
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no telemetry calls from a patient-facing app

    import uvicorn  # the heavy imports (Gradio, the workers' engines) only after the arguments are fine

    from retrieval.errors import ChatbotError
    from retrieval.index_store import build_index, index_status
    from retrieval.settings import load_settings
    from retrieval.web.server import create_app, server_options
    from retrieval.web.workers import WorkerPool

    try:
        settings = load_settings()
        status = index_status(settings.index_dir, settings.corpus_dir)
        if not status.fresh:
            print(f"Rebuilding the index: {status.reason}.", flush=True)
            build_index(settings.corpus_dir, settings.index_dir, progress=True)
        pool = WorkerPool(settings)
        pool.start()
    except ChatbotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        app = create_app(pool)
        print(f"Serving on http://{args.host}:{args.port}/ with {pool.count} answer worker(s) "
              "(API docs: /docs, embed: /embed)", flush=True)
        uvicorn.run(app, host=args.host, port=args.port, **server_options(settings))
    finally:
        pool.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
