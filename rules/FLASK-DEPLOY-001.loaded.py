"""A module the production server loads (the Dockerfile runs `gunicorn shop.main:app`)."""
# fixture-path: shop/main.py
# fixture-file: Dockerfile: CMD ["gunicorn", "--bind", "0.0.0.0:8000", "shop.main:app"]
import logging

from shop.app import app

logging.basicConfig(level=logging.INFO)
app.run(host="0.0.0.0")  # expect: FLASK-DEPLOY-001

if __name__ == "__main__":
    app.run(debug=True)  # ok: FLASK-DEPLOY-001 (main block: gunicorn imports the module, it does not run it)
