# fixture-path: instance/config.example.py
"""Copy to instance/config.py and fill in real values; this template is not loaded by the app."""
SECRET_KEY = "replace-me-with-a-random-value"  # ok: FLASK-CONFIG-001 (a documented template, not loaded)
SQLALCHEMY_DATABASE_URI = "postgresql://user:password@localhost/orders"
