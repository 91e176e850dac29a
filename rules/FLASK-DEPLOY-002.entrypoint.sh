#!/bin/sh
# fixture-path: docker/entrypoint.sh
set -e
flask --app orders db upgrade
export FLASK_DEBUG=1  # expect: FLASK-DEPLOY-002
exec flask --app orders run --host=0.0.0.0 --debug  # expect: FLASK-DEPLOY-002
