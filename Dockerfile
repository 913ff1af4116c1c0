# One image for every service; the command picks the service and the process
# (python -m services.<name> api|relay|consume|scheduler|migrate).
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 NUMBA_CACHE_DIR=/tmp/numba
COPY pyproject.toml ./
COPY shared ./shared
COPY services ./services
COPY deploy ./deploy
COPY sefund ./sefund
RUN pip install --no-cache-dir .
USER nobody
