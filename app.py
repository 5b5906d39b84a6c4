"""Patient chat, clinic HTTP API and embed: `python app.py [--host 127.0.0.1] [--port 7860]`.

Also env HOST and PORT. Builds the index first when it is missing or out of date,
and says so. Serves / (chat), /embed (compact chat), POST /api/ask, GET /health and
/docs (API docs); see README "Web app" and docs/interfaces.md.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence


def parse_args(argv: Sequence[str] | None = None, env: Mapping[str, str] = os.environ) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Serve the patient chat, /embed and the HTTP API.")
    parser.add_argument("--host", default=env.get("HOST", "127.0.0.1"), help="default: env HOST or 127.0.0.1")
    parser.add_argument("--port", type=int, default=int(env.get("PORT", "7860")), help="default: env PORT or 7860")
    return parser.parse_args(argv)


def main() -> None:
    args = parse_args()
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no telemetry calls from a patient-facing app

    import uvicorn  # the heavy imports (model, Gradio) only after the arguments are fine

    from retrieval.engine import Engine
    from retrieval.web.server import create_app

    engine = Engine.load(rebuild_if_stale=True, progress=True, say=print)
    app = create_app(engine)
    print(f"Serving on http://{args.host}:{args.port}/ (API docs: /docs, embed: /embed)", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
