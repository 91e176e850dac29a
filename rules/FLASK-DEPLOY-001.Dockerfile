# fixture-path: Dockerfile
# fixture-file: app.py: app.run(host="0.0.0.0", port=5000)
# fixture-file: worker.py: celery.worker_main(["worker"])
# fixture-file: serve.py: from waitress import serve
# fixture-file: serve.py: serve(app) if PROD else app.run()
FROM python:3.12-slim AS base
WORKDIR /srv
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .

FROM base AS dev
ENV FLASK_DEBUG=1
CMD ["flask", "--app", "shop", "run", "--host=0.0.0.0", "--debug"]  # ok: FLASK-DEPLOY-001 (development stage)

FROM base AS web
ENV FLASK_APP=shop.app:create_app() PORT=8000
RUN flask --app shop assets build  # ok: FLASK-DEPLOY-001 (a build step, not the server)
RUN flask run --help  # ok: FLASK-DEPLOY-001 (RUN executes at build time)
# CMD ["flask", "run", "--host=0.0.0.0"]  # ok: FLASK-DEPLOY-001 (a comment)
EXPOSE 8000
CMD ["flask", "run", "--host=0.0.0.0", "--port=8000"]  # expect: FLASK-DEPLOY-001
CMD flask --app shop run --host 0.0.0.0 --port 8000  # expect: FLASK-DEPLOY-001
CMD ["python", "-m", "flask", "--app", "shop", "run", "--host", "0.0.0.0"]  # expect: FLASK-DEPLOY-001
CMD ["sh", "-c", "flask --app shop db upgrade && flask --app shop run --host=0.0.0.0"]  # expect: FLASK-DEPLOY-001
CMD ["flask", "run", "--host=0.0.0.0", "--debug"]  # expect: FLASK-DEPLOY-001
CMD ["poetry", "run", "flask", "run", "--host=0.0.0.0"]  # expect: FLASK-DEPLOY-001
CMD ["python", "app.py"]  # expect: FLASK-DEPLOY-001
CMD python /srv/app.py  # expect: FLASK-DEPLOY-001
CMD ["python3", "-m", "app"]  # expect: FLASK-DEPLOY-001
CMD ["python", "worker.py"]  # ok: FLASK-DEPLOY-001 (worker.py does not start the dev server)
CMD ["python", "serve.py"]  # ok: FLASK-DEPLOY-001 (serve.py uses waitress in production)
CMD ["python", "main.py"]  # ok: FLASK-DEPLOY-001 (main.py is not among the scanned files: unknown)
CMD flask --app shop db upgrade && exec gunicorn --bind 0.0.0.0:8000 "shop:create_app()"  # ok: FLASK-DEPLOY-001 (flask db upgrade then gunicorn)
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "4", "shop:app"]  # ok: FLASK-DEPLOY-001 (gunicorn; 0.0.0.0 is required inside a container)
CMD ["waitress-serve", "--listen=0.0.0.0:8000", "shop:app"]  # ok: FLASK-DEPLOY-001 (waitress)
CMD ["uwsgi", "--http", ":8000", "--module", "shop:app"]  # ok: FLASK-DEPLOY-001 (uWSGI)
CMD echo "start with: flask run"  # ok: FLASK-DEPLOY-001 (echo, not a command that runs)
CMD ["flask", "routes"]  # ok: FLASK-DEPLOY-001 (not the run command)
CMD ["python", "manage.py", "runserver", "--host", "0.0.0.0"]  # todo: FLASK-DEPLOY-001 (Flask-Script's runserver starts the dev server through a manage.py that is not recognised)

FROM base AS split
ENTRYPOINT ["flask"]  # ok: FLASK-DEPLOY-001 (the CMD below supplies the subcommand)
CMD ["run", "--host=0.0.0.0"]  # expect: FLASK-DEPLOY-001

FROM base AS tests
CMD ["flask", "run"]  # ok: FLASK-DEPLOY-001 (test stage)
