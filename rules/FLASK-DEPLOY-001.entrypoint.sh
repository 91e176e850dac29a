#!/bin/sh
# fixture-path: docker/entrypoint.sh
set -e
flask --app shop db upgrade  # ok: FLASK-DEPLOY-001 (migration before start)
echo "starting flask run on port ${PORT}"  # ok: FLASK-DEPLOY-001 (echo)
if [ "$1" = "web" ]; then
    exec flask --app shop run --host=0.0.0.0 --port="${PORT:-8000}"  # expect: FLASK-DEPLOY-001
fi
if [ "$1" = "api" ]; then
    exec gosu app flask --app shop.api run --host 0.0.0.0  # expect: FLASK-DEPLOY-001
fi
if [ "$1" = "gunicorn" ]; then
    exec gunicorn --bind 0.0.0.0:8000 shop:app  # ok: FLASK-DEPLOY-001 (gunicorn)
fi
exec "$@"
