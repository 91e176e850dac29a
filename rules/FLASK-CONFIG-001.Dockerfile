# fixture-path: Dockerfile
FROM python:3.12-slim AS test
ENV SECRET_KEY=test-only  # ok: FLASK-CONFIG-001 (test stage)
RUN pytest -q

FROM python:3.12-slim
WORKDIR /srv
ARG SECRET_KEY=build-time-4c2e  # expect: FLASK-CONFIG-001
ENV SECRET_KEY=${SECRET_KEY}  # ok: FLASK-CONFIG-001 (a reference, not a value)
ENV FLASK_SECRET_KEY="baked-in-91ab" PORT=8000  # expect: FLASK-CONFIG-001
ENV WTF_CSRF_SECRET_KEY csrf-legacy-form  # todo: FLASK-CONFIG-001 (withheld: the engine does not redact the legacy `ENV NAME value` form)
RUN echo "SECRET_KEY is read at runtime"  # ok: FLASK-CONFIG-001 (a build step that names the key)
CMD ["gunicorn", "-b", "0.0.0.0:8000", "orders:create_app()"]
