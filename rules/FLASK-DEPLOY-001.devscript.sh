#!/bin/sh
# fixture-path: scripts/run_dev.sh
export FLASK_APP=shop
flask run --reload  # ok: FLASK-DEPLOY-001 (a dev-named helper script)
