# fixture-path: scripts/run_dev.py
"""Start the app with the reloader and debugger: `python scripts/run_dev.py`."""
from orders import create_app

app = create_app()
app.run(host="127.0.0.1", port=5000, debug=True)  # ok: FLASK-DEPLOY-002 (a dev-only launch script that no deployment file runs)
