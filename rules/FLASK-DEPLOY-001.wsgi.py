"""WSGI entrypoint: gunicorn imports this module, so nothing here may start a server at import time."""
# fixture-path: shop/wsgi.py
from shop.factory import create_app

app = create_app()
app.run(host="0.0.0.0", port=8000)  # expect: FLASK-DEPLOY-001

if __name__ == "__main__":
    app.run(port=5000)  # ok: FLASK-DEPLOY-001 (local run of the WSGI module; gunicorn does not execute the main block)
