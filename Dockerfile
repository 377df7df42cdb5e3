# NewsScope, hosted read-only: the dashboard on the sample corpus, built into the image.
#   docker build -t newsscope . && docker run -p 8501:8501 newsscope      → http://localhost:8501
# For your own corpus, see docker-compose.yml and docs/deploy.md.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STREAMLIT_SERVER_HEADLESS=true \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false

WORKDIR /app

# The pinned dependencies in a layer of their own, rebuilt only when requirements.txt changes
# (its "-e ." line needs the source, which comes in the next step).
COPY requirements.txt .
RUN grep -v '^-e ' requirements.txt > /tmp/pinned.txt && pip install --no-deps -r /tmp/pinned.txt && pip check && rm /tmp/pinned.txt

COPY . .
# Editable, so that `newsscope serve` finds app.py beside the package. The sample is built now, at image build,
# so the container starts serving at once; /data is where docker-compose.yml builds a mounted corpus.
RUN pip install --no-deps -e . \
    && newsscope build data/sample/raw --out data/processed \
    && useradd --create-home --uid 10001 newsscope \
    && mkdir -p /data && chown newsscope:newsscope /data

ENV NEWSSCOPE_DATA=/app/data/processed \
    NEWSSCOPE_READ_ONLY=1
USER newsscope
EXPOSE 8501

# python:3.11-slim has no curl; urlopen raises (exit 1) unless the server answers 200.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"

CMD ["streamlit", "run", "app.py", "--server.port=8501", "--server.address=0.0.0.0"]
