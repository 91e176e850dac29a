# fixture-path: app.py
# fixture-file: Dockerfile: FROM python:3.12-slim
# fixture-file: Dockerfile: COPY . /srv
# fixture-file: Dockerfile: CMD ["python", "app.py"]
import os

from flask import Flask, session

app = Flask(__name__)


@app.post("/login")
def login():
    session["user"] = "alice"
    return "ok"


if __name__ == "__main__":
    app.secret_key = "container-key-71c2"  # expect: FLASK-CONFIG-001
    print("secret key:", app.secret_key)  # expect: FLASK-CONFIG-001
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "8080")))
