"""Started by the Procfile with `python server.py`: its __main__ block IS the production entrypoint."""
# fixture-path: server.py
# fixture-file: Procfile: web: python server.py
import os

from waitress import serve

from shop.app import app


def main():
    port = int(os.environ.get("PORT", 5000))
    app.run(host="0.0.0.0", port=port)  # expect: FLASK-DEPLOY-001


if os.environ.get("APP_ENV") == "production":
    serve(app, host="0.0.0.0", port=int(os.environ["PORT"]))  # ok: FLASK-DEPLOY-001 (waitress in production)
else:
    app.run()  # ok: FLASK-DEPLOY-001 (only when APP_ENV is not production)

if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 5000)))  # expect: FLASK-DEPLOY-001
