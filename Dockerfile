# Frontdesk: one image for the web server, the Celery worker and Celery beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    FRONTDESK_VAR_DIR=/app/var \
    MEDIA_ROOT=/app/var/media \
    STATIC_ROOT=/app/staticfiles

# The application runs as an unprivileged user. The code stays owned by root (read-only for
# the app); only /app/var (uploads, beat schedule) is writable.
RUN groupadd --system --gid 1000 frontdesk \
    && useradd --system --uid 1000 --gid frontdesk --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin frontdesk

WORKDIR /app

# Dependencies first, so code changes do not reinstall them.
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .

# Static files are collected into the image (outside /app/var, so a mounted var volume never
# hides or freezes them) and served by whitenoise. Settings refuse to load with DEBUG off and
# no SECRET_KEY, so this step gets a throwaway key that exists only for this command.
# Loading settings without a broker creates var/celery/ for the file-system transport; it is
# not needed in the image and is removed.
RUN DEBUG=false SECRET_KEY=build-only-not-a-secret ALLOWED_HOSTS=build SITE_URL=http://build \
        python manage.py collectstatic --noinput \
    && rm -rf /app/var/celery \
    && mkdir -p /app/var/media \
    && chown -R frontdesk:frontdesk /app/var

USER frontdesk

EXPOSE 8000

CMD ["gunicorn", "helpdesk.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-"]
