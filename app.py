"""Patient chat: `python app.py [--host 127.0.0.1] [--port 7860]` (env HOST, PORT).

Builds the index first when it is missing or out of date, and says so.
"""

from __future__ import annotations

import argparse
import os

import gradio as gr

from retrieval.engine import Engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "7860")))
    args = parser.parse_args()

    engine = Engine.load(rebuild_if_stale=True, progress=True, say=print)

    def chat(message: str, history: list[dict]) -> str:
        return engine.answer(message, history=history).answer

    demo = gr.ChatInterface(chat, api_name="chat", title="Spine health information")
    demo.queue(default_concurrency_limit=engine.settings.concurrency)
    demo.launch(server_name=args.host, server_port=args.port)


if __name__ == "__main__":
    main()
