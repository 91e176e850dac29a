# fixture-path: config/development.py
MAX_CONTENT_LENGTH = None  # ok: FLASK-LIMITS-001 (development settings module)
MAX_FORM_PARTS = None  # ok: FLASK-LIMITS-001 (development settings module)
