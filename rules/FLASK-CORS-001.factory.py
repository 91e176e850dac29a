# fixture-path: app/extensions.py
# Extensions declared with a type for the app factory: a bare annotation (`cors: CORS`) binds nothing and has no
# value; the assignment that follows it is the one init_app() completes.
from flask import Flask
from flask_cors import CORS

ORIGINS: list[str]
ORIGINS = ["https://app.example.com", "*"]
TRUSTED: list[str]
TRUSTED = ["https://app.example.com"]

cors: CORS  # ok: FLASK-CORS-001 (a declaration: binds nothing)
cors = CORS()
strict: CORS
strict = CORS()
eager: CORS = CORS(origins="*", supports_credentials=True)  # expect: FLASK-CORS-001
pending: CORS  # ok: FLASK-CORS-001 (declared only: bound in another module)


def create_app():
    app = Flask(__name__)
    cors.init_app(app)  # expect: FLASK-CORS-001
    strict.init_app(app, origins=TRUSTED)  # ok: FLASK-CORS-001 (allowlist given to init_app)
    eager.init_app(app)  # ok: FLASK-CORS-001 (judged at the constructor above)
    pending.init_app(app)  # ok: FLASK-CORS-001 (no constructor in this file: nothing to judge)
    CORS(app, origins=ORIGINS)  # expect: FLASK-CORS-001
    return app
