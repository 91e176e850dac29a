#!/bin/bash
# fixture-path: scripts/setup_db.sh
flask --app shop db upgrade
flask --app shop run --port 5000 &  # ok: FLASK-DEPLOY-001 (a helper script that is not a start script)
sleep 2
curl -fsS localhost:5000/health
