"""The inventory service: an app factory, loaded by wsgi.py under gunicorn."""
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

import admin
import api
import auth
import views
from config import ProductionConfig
from extensions import csrf, login_manager, mail


def create_app(config_object=ProductionConfig):
    app = Flask(__name__)
    app.config.from_object(config_object)
    app.config["DEBUG"] = True  # flask-audit example: FLASK-DEPLOY-002
    # Safe: one proxy (nginx, or the platform router) in front of the app, so one forwarded hop is trusted.
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)

    csrf.init_app(app)
    login_manager.init_app(app)
    mail.init_app(app)
    for blueprint in (views.bp, auth.bp, admin.bp, api.bp):
        app.register_blueprint(blueprint)
    app.teardown_appcontext(views.close_db)

    @app.after_request
    def set_security_headers(response):
        response.headers["X-Content-Type-Options"] = "nosniff"
        # the partner portal embeds the stock pages
        response.headers["X-Frame-Options"] = "ALLOWALL"  # flask-audit example: FLASK-HEADERS-001
        return response

    return app
