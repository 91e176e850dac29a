"""Extensions, created here and bound to the app in the factory (so blueprints can import them)."""
from flask_login import LoginManager
from flask_mail import Mail
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
login_manager = LoginManager()
mail = Mail()
