"""The web layer: patient chat (Gradio), clinic HTTP API, embed, and their guards.

Every module here is thin: questions go through the one `Engine.answer()` path.

    server.py    create_app(...): FastAPI with the chat mounted at / and /embed
    service.py   where answers come from: the engine in this process, or the worker pool
    workers.py   answer worker processes (one engine each) and the bounded queue before them
    routes.py    the allow-list of served routes
    api.py       POST /api/ask, GET /health, GET /api/info
    replies.py   every error reply: {"error": code, "detail": one line}
    assets.py    /docs (bundled Swagger UI), /gradio.js, /chat-bubble.js
    chat_ui.py   the Gradio Blocks (full page and compact embed)
    render.py    answer object -> chat Markdown/HTML; patient text shown as text
    theme.py     clinic colours -> Gradio theme and CSS, with contrast checks
    security.py  CORS and Content-Security-Policy frame-ancestors from settings
    limits.py    413 for large bodies, 429 for too many questions from one client
    feedback.py  SQLite feedback store (only when the clinic turns logging on)
    texts.py     the UI's words from data/ui.toml
"""

from __future__ import annotations
