# fixture-path: config/development.py
"""Development settings: a fixed key so sessions survive the reloader; production sets its own."""
SECRET_KEY = "dev"  # ok: FLASK-CONFIG-001 (development config module, spec note)
JWT_SECRET_KEY = "dev-jwt"  # ok: FLASK-CONFIG-001 (development config module)


class Config:
    SECRET_KEY = "dev"  # ok: FLASK-CONFIG-001 (development config module)


print(f"dev key: {SECRET_KEY}")  # ok: FLASK-CONFIG-001 (development config module)
