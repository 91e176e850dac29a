# fixture-path: Dockerfile
FROM python:3.12-slim AS dev
ENV FLASK_DEBUG=1  # ok: FLASK-DEPLOY-002 (development stage)
CMD ["flask", "--app", "orders", "run", "--debug", "--host=0.0.0.0"]  # ok: FLASK-DEPLOY-002 (development stage)

FROM python:3.12-slim AS production
WORKDIR /srv
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN flask --app orders assets build --debug  # ok: FLASK-DEPLOY-002 (a build step, not the server)
ENV FLASK_APP=orders PORT=8000
ENV FLASK_DEBUG=1  # expect: FLASK-DEPLOY-002
ENV FLASK_ENV development  # expect: FLASK-DEPLOY-002
ENV FLASK_DEBUG=0  # ok: FLASK-DEPLOY-002 (debug off)
ENV FLASK_RUN_HOST=0.0.0.0  # ok: FLASK-DEPLOY-002 (not a debug switch)
EXPOSE 8000
CMD ["flask", "--app", "orders", "run", "--host=0.0.0.0", "--debug"]  # expect: FLASK-DEPLOY-002
