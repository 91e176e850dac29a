#!/bin/sh
# fixture-path: scripts/start.sh
flask --app shop run --port 5000 &  # ok: FLASK-DEPLOY-001 (the script runs the test suite: CI, not production)
pytest -q tests/e2e
