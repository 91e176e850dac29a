# fixture-path: app.py
# fixture-file: Dockerfile: FROM python:3.12-slim
# fixture-file: Dockerfile: COPY . /srv
# fixture-file: Dockerfile: WORKDIR /srv
# fixture-file: Dockerfile: CMD ["python", "app.py"]
import os

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/health")
def health():
    return jsonify(status="ok")


if __name__ == "__main__":
    app.config["DEBUG"] = True  # expect: FLASK-DEPLOY-002
    if os.environ.get("FLASK_ENV") == "development":
        app.run(debug=True)  # ok: FLASK-DEPLOY-002 (gated on the environment)
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "8080")), debug=True)  # expect: FLASK-DEPLOY-002
    app.run(host="0.0.0.0", debug=os.environ.get("FLASK_DEBUG") == "1")  # ok: FLASK-DEPLOY-002 (off unless FLASK_DEBUG=1)
