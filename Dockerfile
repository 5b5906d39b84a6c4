# syntax=docker/dockerfile:1
#
# The patient chat and clinic API in one image: runtime dependencies only (ONNX Runtime and
# tokenizers answer questions; no training extras), the encoder baked in, the index built here
# and read-only at run time. Runs as UID 10001. See deploy/k8s/ for Kubernetes.
#
#   docker build -t spine-chat:1.0 .
#   docker run --rm -p 7860:7860 -e CHATBOT_COUNTRY=GB spine-chat:1.0

# ---- build: install the package into a virtualenv ------------------------------------------
FROM python:3.11-slim AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
# README.md is the package's long description (pyproject `readme`), so the install needs it
COPY pyproject.toml README.md ./
COPY retrieval/ retrieval/
COPY evals/ evals/
# `pip install .` installs the [project] dependencies only: no [dev], no [train].
RUN pip install --no-cache-dir .

# The encoder (retrieval/data/encoder/) is package data: check it arrived and loads (this
# also checks model.onnx against the sha256 in encoder.json). Run from / so `retrieval` is
# the installed package, not /src/retrieval.
RUN cd / && python -c 'from retrieval.encoder import Encoder; Encoder().load()'

# ---- runtime ------------------------------------------------------------------------------
FROM python:3.11-slim AS runtime

LABEL org.opencontainers.image.title="spine-chat" \
      org.opencontainers.image.description="Patient Q&A with cited answers from one trusted article"

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    GRADIO_ANALYTICS_ENABLED=False \
    GRADIO_TEMP_DIR=/tmp/gradio \
    XDG_CACHE_HOME=/tmp/.cache \
    HF_HOME=/tmp/huggingface \
    HOME=/home/app \
    PATH=/opt/venv/bin:$PATH \
    CHATBOT_CORPUS_DIR=/app/corpus \
    CHATBOT_INDEX_DIR=/app/index

RUN groupadd --gid 10001 app \
 && useradd --uid 10001 --gid 10001 --create-home --home-dir /home/app --shell /usr/sbin/nologin app

COPY --from=build /opt/venv /opt/venv

WORKDIR /app
COPY app.py ./
COPY corpus/ /app/corpus/

# Build the index into the image (as root), check the engine can load it (index current for
# this corpus and encoder, safety models readable: the same checks app.py makes at start-up,
# so a broken image fails here instead of crash-looping), then make corpus and index
# read-only: every replica serves the identical artefact and never rebuilds it.
# var/ is the only place the app writes (feedback database, when a clinic turns it on).
RUN python -m retrieval build --quiet \
 && python -c 'from retrieval.engine import Engine; Engine.load()' \
 && chmod -R a-w /app/corpus /app/index \
 && mkdir -p /app/var \
 && chown 10001:10001 /app/var

USER 10001:10001

EXPOSE 7860

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:7860/health', timeout=4).status == 200 else 1)"]

CMD ["python", "app.py", "--host", "0.0.0.0", "--port", "7860"]
