"""A Sanic service in the same repository: Sanic's app.run() is its production server, not Werkzeug."""
# fixture-path: api/app.py
# fixture-file: Procfile: web: python api/app.py
from sanic import Sanic

app = Sanic("api")

if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8000, workers=4)  # ok: FLASK-DEPLOY-001 (Sanic, not Flask)
