"""`python -m tests.web.fake_app PORT [SETTING=VALUE ...]`: the real web app around the fake
engine, served by uvicorn with the product's own options (server.server_options), so a test
can attack it from outside and read everything it logged."""

from __future__ import annotations

import sys

import uvicorn

from retrieval.web.server import create_app, server_options
from tests.web.fakes import FakeEngine


def main() -> None:
    port = int(sys.argv[1])
    overrides = dict(arg.split("=", 1) for arg in sys.argv[2:])
    typed = {k: (int(v) if v.isdigit() else v == "true" if v in ("true", "false") else v) for k, v in overrides.items()}
    engine = FakeEngine(**typed)
    uvicorn.run(create_app(engine), host="127.0.0.1", port=port, **server_options(engine.settings))


if __name__ == "__main__":
    main()
