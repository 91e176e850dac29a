"""Local launcher: `python run.py` on a laptop. Nothing imports this file and no deployment file runs it."""
# fixture-path: run.py
from shop import create_app
from shop.app import app as shop_app

app = create_app()
app.run(host="0.0.0.0", debug=True)  # ok: FLASK-DEPLOY-001 (a launcher script that builds the app from the factory; only `python run.py` runs it)
shop_app.run(port=5001)  # ok: FLASK-DEPLOY-001 (the app is imported, not built here: this file is a local launcher)
