"""A development helper: its name says so, and no deployment file runs it."""
# fixture-path: scripts/dev_server.py
from shop.app import app

app.run(host="0.0.0.0", port=5000, debug=True)  # ok: FLASK-DEPLOY-001 (dev-named script)
