# The one image for the web process, the Celery worker and beat (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VAR_DIR=/app/var

RUN useradd --create-home --user-group --uid 10001 tenantadmin
WORKDIR /app

# Dependencies first, in their own layer, so a code change does not reinstall them.
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -c constraints.txt -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
# Editable: settings find templates/ and static/ beside the package, and they are not in the wheel.
RUN pip install --no-deps -c constraints.txt -e . \
    && SECRET_KEY=collectstatic-at-build-time-only python manage.py collectstatic --no-input \
    && mkdir -p "$VAR_DIR" \
    && chown tenantadmin:tenantadmin "$VAR_DIR"

USER tenantadmin
EXPOSE 8000
# WEB_CONCURRENCY sets the number of gunicorn workers.
CMD ["gunicorn", "tenantadmin.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--timeout", "60"]
