# fixture-path: app.py
# fixture-file: Dockerfile: FROM python:3.12-slim
# fixture-file: Dockerfile: RUN pip install gunicorn
# fixture-file: Dockerfile: CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]
# fixture-file: Procfile: release: python app.py --migrate
from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return "orders"


if __name__ == "__main__":
    app.debug = True  # ok: FLASK-DEPLOY-002 (gunicorn imports app:app; this block only runs on a laptop)
    app.run(debug=True)  # ok: FLASK-DEPLOY-002 (gunicorn imports app:app; this block only runs on a laptop)
