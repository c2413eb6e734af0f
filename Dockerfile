# One replica of Backprop Stepper (see README, "Serving a whole class"):
#   docker build -t backprop-stepper .
#   docker run --rm -p 8501:8501 backprop-stepper        # then open http://localhost:8501
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /srv/backprop-stepper

# the pinned app requirements first, so code changes do not reinstall them
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin stepper

COPY .streamlit/ .streamlit/
COPY core/ core/
COPY app/ app/
COPY pages/ pages/

# Deployment settings on top of .streamlit/config.toml (which stays as it is for `make run`):
# no file watching or rerun-on-save on a server, uploads capped at 1 MB (a scenario file is a few kB,
# the training lab's CSV at most 200 kB), XSRF protection on, and no exception details in a browser.
ENV STREAMLIT_SERVER_HEADLESS=true \
    STREAMLIT_SERVER_FILE_WATCHER_TYPE=none \
    STREAMLIT_SERVER_RUN_ON_SAVE=false \
    STREAMLIT_SERVER_MAX_UPLOAD_SIZE=1 \
    STREAMLIT_SERVER_ENABLE_XSRF_PROTECTION=true \
    STREAMLIT_CLIENT_SHOW_ERROR_DETAILS=none \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false \
    STREAMLIT_RUNNER_POST_SCRIPT_GC=false \
    BP_CLASS_DB=/home/stepper/classroom.sqlite3

USER stepper
EXPOSE 8501

# python:3.11-slim has no curl: ask Streamlit's health endpoint with Python
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"]

CMD ["python", "-m", "app.serve", "--server.address", "0.0.0.0", "--server.port", "8501", "--server.headless", "true"]
