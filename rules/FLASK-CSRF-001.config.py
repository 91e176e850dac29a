# fixture-path: config.py
# fixture-file: bank/__init__.py: @app.before_request
# fixture-file: bank/__init__.py: def check_csrf():
# fixture-file: bank/__init__.py:     if request.endpoint not in PUBLIC_ENDPOINTS:
# fixture-file: bank/__init__.py:         csrf.protect()
import os


class Config:
    SECRET_KEY = os.environ["SECRET_KEY"]
    WTF_CSRF_CHECK_DEFAULT = False  # ok: FLASK-CSRF-001 (the app calls csrf.protect() itself)
    WTF_CSRF_ENABLED = True  # ok: FLASK-CSRF-001


class ProductionConfig(Config):
    WTF_CSRF_ENABLED = None  # expect: FLASK-CSRF-001


def testing_config():
    return {"WTF_CSRF_ENABLED": False}  # ok: FLASK-CSRF-001 (testing helper)
