# Tandem server image: the runtime dependency set only (requirements.lock), no dev tools.
# Build: docker build -t tandem .   Run with compose.yaml (two app instances, PostgreSQL, Redis).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    TANDEM_DATA_DIR=/data \
    TANDEM_HOST=0.0.0.0 \
    TANDEM_PORT=8000

WORKDIR /app
COPY requirements.lock ./
RUN pip install -r requirements.lock
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install --no-deps . && useradd --system --home /data tandem && mkdir -p /data \
    && chown tandem /data

USER tandem
VOLUME /data
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=6 \
    CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)" || exit 1
CMD ["tandem", "serve"]
