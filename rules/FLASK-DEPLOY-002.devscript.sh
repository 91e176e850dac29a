#!/bin/sh
# fixture-path: scripts/run_dev.sh
export FLASK_DEBUG=1  # ok: FLASK-DEPLOY-002 (a dev-named helper script)
flask --app orders run --debug  # ok: FLASK-DEPLOY-002 (a dev-named helper script)
