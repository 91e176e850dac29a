"""The inventory service: an app factory, loaded by wsgi.py under gunicorn."""
from flask import Flask
from flask_wtf.csrf import CSRFProtect

from config import ProductionConfig
from views import bp, close_db

csrf = CSRFProtect()


def create_app(config_object=ProductionConfig):
    app = Flask(__name__)
    app.config.from_object(config_object)
    app.config["DEBUG"] = True

    csrf.init_app(app)
    app.register_blueprint(bp)
    app.teardown_appcontext(close_db)

    @app.after_request
    def set_security_headers(response):
        response.headers["Content-Security-Policy"] = "default-src 'self'"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    return app
