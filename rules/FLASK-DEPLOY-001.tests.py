"""Test helpers start a live server on purpose."""
# fixture-path: tests/test_live.py
import threading

from shop.app import app

server = threading.Thread(target=lambda: app.run(port=5055))
app.run(port=5056)  # ok: FLASK-DEPLOY-001 (test code)
