import { describe, expect, it } from "vitest";
import { collectProjectFacts, readLaunchCommand } from "../../src/core/project.js";

describe("application facts", () => {
  const app = { path: "src/shop/app.py", content: "from flask import Flask\napp = Flask(__name__)\n" };
  const wsgi = { path: "src/shop/wsgi.py", content: "from shop.app import app\n" };

  it("finds the modules production servers load, in every deployment file format", () => {
    const facts = collectProjectFacts([
      app, wsgi,
      { path: "Dockerfile", content: 'FROM python:3.12\nCMD ["gunicorn", "-b", "0.0.0.0:8000", "shop.app:app"]\n' },
      { path: "Procfile", content: "web: gunicorn shop.wsgi:app --workers 3\n" },
    ]);
    expect([...facts.productionModules].sort()).toEqual(["src/shop/app.py", "src/shop/wsgi.py"]);
    expect(facts.directlyRunInProduction.size).toBe(0);
    expect(facts.devServerCommands).toEqual([]);
  });

  it("notices deployment files that start the dev server", () => {
    const facts = collectProjectFacts([
      app,
      { path: "deploy/Dockerfile", content: "FROM python\n# CMD python old.py\nRUN python -m pip install -r r.txt\nCMD python src/shop/app.py\n" },
      { path: "Procfile", content: "web: flask --app shop.app run --host 0.0.0.0\nworker: python worker.py\n" },
      { path: "docker-compose.yml", content: "services:\n  web:\n    command: python -m shop.app\n" },
    ]);
    expect([...facts.directlyRunInProduction]).toEqual(["src/shop/app.py"]);
    expect(facts.devServerCommands.map((c) => `${c.file}:${c.line}`)).toEqual(["deploy/Dockerfile:4", "Procfile:1", "docker-compose.yml:3"]);
  });

  it("does not take development launches for production ones", () => {
    const app = { path: "app.py", content: "from flask import Flask\napp = Flask(__name__)\nif __name__ == '__main__':\n    app.run()\n" };
    const facts = collectProjectFacts([
      app,
      { path: "Dockerfile", content: "FROM python:3.12 AS dev\nCMD python app.py\nFROM python:3.12\nCMD gunicorn app:app\n" },
      { path: "scripts/run_dev.sh", content: "python app.py\n" },
      { path: "start.sh", content: "echo 'try: flask run'\nexec gunicorn app:app\n" },
      { path: "docker-compose.override.yml", content: "services:\n  web:\n    command: python app.py\n" },
    ]);
    expect(facts.directlyRunInProduction.size).toBe(0);
    expect(facts.devServerCommands).toEqual([]);
    const unit = collectProjectFacts([app, { path: "deploy/app.service", content: "[Service]\nExecStart=/usr/bin/python3 app.py\n" }]);
    expect([...unit.directlyRunInProduction]).toEqual(["app.py"]);
  });

  it("reads the app-wide protections", () => {
    const facts = collectProjectFacts([
      { path: "ext.py", content: "from flask_wtf.csrf import CSRFProtect\ncsrf = CSRFProtect()\n" },
      { path: "config.py", content: "TRUSTED_HOSTS = ['example.com']\nMAX_CONTENT_LENGTH = 1024\nSESSION_TYPE = 'redis'\n" },
      { path: "app.py", content: "from flask_talisman import Talisman\nTalisman(app)\n" },
    ]);
    expect(facts).toMatchObject({ csrfProtection: true, securityHeaders: true, trustedHosts: true, maxContentLength: true, serverSideSessions: true });
    expect(collectProjectFacts([app])).toMatchObject({ csrfProtection: false, securityHeaders: false, trustedHosts: false });
  });

  it("knows how the app authenticates and what it handles", () => {
    const facts = collectProjectFacts([
      { path: "app/__init__.py", content: "from flask import Flask\nfrom werkzeug.middleware.proxy_fix import ProxyFix\napp = Flask(__name__)\napp.wsgi_app = ProxyFix(app.wsgi_app)\n" },
      { path: "app/auth.py", content: "from flask_login import login_user\n" },
      { path: "app/api.py", content: "token = request.headers.get('Authorization')\nf = request.files['doc']\n" },
      { path: "app/cors.py", content: "from flask_cors import CORS\nMAX_FORM_PARTS = 100\n" },
    ]);
    expect(facts).toMatchObject({ flaskApp: true, proxyFix: true, cookieAuth: true, tokenAuth: true, uploads: true, cors: true, formLimits: true });
    expect(collectProjectFacts([{ path: "lib.py", content: "x = 1\n" }])).toMatchObject({ flaskApp: false, cookieAuth: false, uploads: false });
  });

  it("notices hand-written CSRF checks (csrf.protect(), a before_request header or token check)", () => {
    const hook = "@app.before_request\ndef check():\n    if request.headers.get('X-Requested-With') != 'XMLHttpRequest':\n        abort(403)\n";
    expect(collectProjectFacts([{ path: "app.py", content: hook }]).csrfCustomCheck).toBe(true);
    expect(collectProjectFacts([{ path: "app.py", content: "@app.before_request\ndef f():\n    csrf.protect()\n" }]).csrfCustomCheck).toBe(true);
    expect(collectProjectFacts([{ path: "app.py", content: "@app.before_request\ndef load_user():\n    g.user = None\n" }]).csrfCustomCheck).toBe(false);
    expect(collectProjectFacts([{ path: "app.py", content: "token = request.headers.get('X-CSRF-Token')\n" }]).csrfCustomCheck).toBe(false);
  });

  it("knows which Python files start the development server themselves", () => {
    const facts = collectProjectFacts([
      { path: "app.py", content: "app = Flask(__name__)\nif __name__ == '__main__':\n    app.run(host='0.0.0.0')\n" },
      { path: "serve.py", content: "from werkzeug.serving import run_simple\nrun_simple('0.0.0.0', 5000, application)\n" },
      { path: "prod.py", content: "from waitress import serve\nif __name__ == '__main__':\n    serve(app)\n" },
      { path: "mixed.py", content: "if DEV:\n    flask_app.run()\nelse:\n    from waitress import serve\n" },
      { path: "tasks.py", content: "import subprocess\nsubprocess.run(['ls'])\nasyncio.run(main())\n" },
    ]);
    expect([...facts.devServerModules].sort()).toEqual(["app.py", "serve.py"]);
  });

  it("reads Flask-CORS options set in the app config", () => {
    const config = { path: "config.py", content: "class Config:\n    CORS_ORIGINS = ['https://app.example.com']\n    CORS_SUPPORTS_CREDENTIALS = True\n" };
    expect(collectProjectFacts([config]).corsConfig).toEqual({ origins: true, credentials: true });
    const update = { path: "app.py", content: 'app.config["CORS_SUPPORTS_CREDENTIALS"] = True\napp.config.update(CORS_RESOURCES={r"/api/*": {}})\n' };
    expect(collectProjectFacts([update]).corsConfig).toEqual({ origins: true, credentials: true });
    const off = { path: "app.py", content: 'CORS_SUPPORTS_CREDENTIALS = False\nCORS(app, origins=os.environ["CORS_ORIGINS"].split(","))\n' };
    expect(collectProjectFacts([off]).corsConfig).toEqual({ origins: false, credentials: false });
  });

  it("finds security headers, host and body-size settings in the app, env files and edge configs", () => {
    const app = { path: "app.py", content: "from flask import Flask\napp = Flask(__name__)\n" };
    expect(collectProjectFacts([app])).toMatchObject({ securityHeaders: false, hardeningHeaders: false, serverName: false, maxContentLength: false });
    const hook = "@app.after_request\ndef h(r):\n    r.headers['X-Frame-Options'] = 'DENY'\n    return r\n";
    expect(collectProjectFacts([app, { path: "hooks.py", content: hook }])).toMatchObject({ securityHeaders: false, hardeningHeaders: true });
    expect(collectProjectFacts([app, { path: "deploy/nginx/site.conf", content: 'add_header Content-Security-Policy "default-src \'self\'";\n' }]).securityHeaders).toBe(true);
    expect(collectProjectFacts([app, { path: "templates/base.html", content: '<meta http-equiv="Content-Security-Policy" content="default-src \'self\'">\n' }]).securityHeaders).toBe(true);
    expect(collectProjectFacts([app, { path: "README.md", content: "Set Content-Security-Policy at the proxy.\n" }]).securityHeaders).toBe(false);
    expect(collectProjectFacts([app, { path: ".env", content: "FLASK_TRUSTED_HOSTS='[\"example.com\"]'\nFLASK_MAX_CONTENT_LENGTH=1048576\n" }])).toMatchObject({ trustedHosts: true, maxContentLength: true });
    expect(collectProjectFacts([app, { path: "config.py", content: "SERVER_NAME = 'example.com'\n" }]).serverName).toBe(true);
    expect(collectProjectFacts([app, { path: "v.py", content: "host = request.environ['SERVER_NAME']\nif x == environ.get('SERVER_NAME'): pass\n" }]).serverName).toBe(false);
    expect(collectProjectFacts([app, { path: "req.py", content: "class LimitedRequest(Request):\n    max_content_length = 1024\n" }]).maxContentLength).toBe(true);
  });

  it("reads launch commands word by word, in shell and exec form", () => {
    expect(readLaunchCommand('CMD ["python3", "-u", "app.py"]')).toEqual({ server: "python", targets: ["app.py"] });
    expect(readLaunchCommand("ENTRYPOINT uwsgi --module wsgi:application")).toEqual({ server: "wsgi", targets: ["wsgi"] });
    expect(readLaunchCommand("python -m gunicorn 'app:create_app()'")).toEqual({ server: "wsgi", targets: ["app"] });
    expect(readLaunchCommand("FLASK_DEBUG=1 flask run")).toEqual({ server: "flask-run", targets: [] });
    expect(readLaunchCommand("RUN pip install flask")).toBeNull();
  });

  it("stays linear on a hostile 1 MB line", () => {
    const line = `CMD ${"flask --a ".repeat(100_000)}`;
    expect(readLaunchCommand(line)).toBeNull();
  });
});
