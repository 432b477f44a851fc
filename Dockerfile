# syntax=docker/dockerfile:1
# akrim production image. One image runs every role: the web server (default CMD),
# the Celery worker and beat, and one-off management commands (see docker-compose.yml
# and docs/deploy.md).
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    PATH=/app/.venv/bin:$PATH \
    AKRIM_VAR_DIR=/var/lib/akrim \
    DEBUG=false

# Pango, HarfBuzz and a font for PDF rendering with WeasyPrint.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# uv from PyPI, the same version the project uses locally.
RUN pip install --no-cache-dir uv==0.13.9

# An unprivileged user; it owns only the private-file directory (mounted as a volume).
RUN groupadd --system --gid 10001 akrim \
    && useradd --system --uid 10001 --gid akrim --create-home --home-dir /home/akrim \
        --shell /usr/sbin/nologin akrim \
    && install -d -o akrim -g akrim -m 0750 /var/lib/akrim /var/lib/akrim/private

WORKDIR /app

# Dependencies first, so code changes do not reinstall them.
COPY pyproject.toml uv.lock .python-version ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-install-project

COPY . .
RUN DEBUG=false SECRET_KEY=build-time-collectstatic-only-not-a-secret ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput

USER 10001:10001
VOLUME ["/var/lib/akrim"]
EXPOSE 8000

CMD ["sh", "-c", "exec gunicorn config.wsgi:application --bind 0.0.0.0:8000 --workers \"${GUNICORN_WORKERS:-2}\" --access-logfile -"]
