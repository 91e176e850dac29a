#!/bin/bash
# fixture-path: deploy/boot.sh
source venv/bin/activate
flask db upgrade  # ok: FLASK-DEPLOY-001 (migration)
cd /srv/shop && flask --app shop run --host 0.0.0.0 --port 80  # expect: FLASK-DEPLOY-001
