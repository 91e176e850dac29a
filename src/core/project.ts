// Application facts: what some rules need to know about the whole application, not one file (is CSRF protection
// enabled in the app factory? which module does the production server load?). Gathered once per scan root with
// cheap text scans (no parse), from whatever files the caller has: the CLI passes the scanned tree, the App the
// few files of the repository that matter (see FACT_FILE_PATTERNS).
import type { SourceFile } from "./types.js";

export interface ProjectFacts {
  /** Python files a production server (gunicorn, uwsgi, waitress, hypercorn, uvicorn) loads as the app. */
  productionModules: Set<string>;
  /** Python files that deployment files run directly (`python app.py`): their `__main__` block is production. */
  directlyRunInProduction: Set<string>;
  /** Deployment files that start the dev server (`flask run`, `python app.py`), with the line. */
  devServerCommands: { file: string; line: number; command: string }[];
  /**
   * Python files that start Flask's development server themselves (`app.run(`, `run_simple(`) and use no production
   * server (waitress, gevent, eventlet...): what `python <file>` in a deployment file starts.
   */
  devServerModules: Set<string>;
  /** CSRFProtect / csrf.init_app / Flask-SeaSurf / FlaskForm anywhere in the application. */
  csrfProtection: boolean;
  /** A hand-written CSRF check: `csrf.protect()`, or a before_request hook checking a CSRF token or a custom header. */
  csrfCustomCheck: boolean;
  /** Content-Security-Policy set: Flask-Talisman, a hook or header in the app, a template <meta>, a proxy/CDN config. */
  securityHeaders: boolean;
  /** X-Frame-Options / X-Content-Type-Options / CSP frame-ancestors set (in the app, by Talisman, or a proxy/CDN config). */
  hardeningHeaders: boolean;
  trustedHosts: boolean;
  /** SERVER_NAME configured: url_for(..., _external=True) builds links with it rather than the request's Host header. */
  serverName: boolean;
  maxContentLength: boolean;
  /** Server-side sessions (Flask-Session / SESSION_TYPE): the session cookie holds only an id. */
  serverSideSessions: boolean;
  /** A Flask application object is constructed somewhere (`Flask(__name__)`): advisories only apply to apps. */
  flaskApp: boolean;
  /** The app reads uploaded files (`request.files`). */
  uploads: boolean;
  /** Werkzeug's ProxyFix (or another forwarded-header middleware) is applied. */
  proxyFix: boolean;
  /** Users are authenticated by cookie: Flask-Login, `login_user`, or a user id stored in `session[...]`. */
  cookieAuth: boolean;
  /** Bearer/token auth is in use (Authorization header checks, flask_jwt_extended, HTTPTokenAuth). */
  tokenAuth: boolean;
  /** MAX_FORM_MEMORY_SIZE / MAX_FORM_PARTS configured. */
  formLimits: boolean;
  /** Flask-CORS or hand-written Access-Control-Allow-Origin headers. */
  cors: boolean;
  /** Flask-CORS options in the app config: CORS_ORIGINS / CORS_RESOURCES set; CORS_SUPPORTS_CREDENTIALS = True. */
  corsConfig: { origins: boolean; credentials: boolean };
}

export function emptyProjectFacts(): ProjectFacts {
  return {
    productionModules: new Set(),
    directlyRunInProduction: new Set(),
    devServerCommands: [],
    devServerModules: new Set(),
    csrfProtection: false,
    csrfCustomCheck: false,
    securityHeaders: false,
    hardeningHeaders: false,
    trustedHosts: false,
    serverName: false,
    maxContentLength: false,
    serverSideSessions: false,
    flaskApp: false,
    uploads: false,
    proxyFix: false,
    cookieAuth: false,
    tokenAuth: false,
    formLimits: false,
    cors: false,
    corsConfig: { origins: false, credentials: false },
  };
}

/** Which repository files the App should fetch to build the facts (besides the changed ones). */
export const FACT_FILE_PATTERNS = [
  "**/Dockerfile", "**/Dockerfile.*", "**/*.dockerfile", "**/Procfile", "**/docker-compose*.y*ml", "**/compose.y*ml",
  "**/wsgi.py", "**/asgi.py", "**/app.py", "**/__init__.py", "**/config.py", "**/settings.py", "**/extensions.py",
  "**/gunicorn.conf.py", "**/*.ini", "**/*.sh", "**/*.service", "**/run.py", "**/main.py", "**/server.py", "**/manage.py",
  "**/*.conf", "**/Caddyfile", "**/.htaccess", "**/_headers", "**/netlify.toml", "**/vercel.json",
];

const DEPLOY_FILE = /(^|\/)(Dockerfile(\.[\w.-]+)?|[\w.-]+\.dockerfile|Procfile|(docker-)?compose[\w.-]*\.ya?ml|[\w.-]+\.sh|[\w.-]+\.ini|[\w.-]+\.service)$/i;
/** Deployment files for development only: `Dockerfile.dev`, `docker-compose.override.yml`, `run_dev.sh`, `local.sh`. */
const DEV_DEPLOY_FILE = /(^|[._-])(dev|devel|development|local|test|tests|debug)([._-]|$)|override/i;
/**
 * Dockerfile stages for development: `FROM python:3.12 AS dev`. The stage name is matched whole, then searched: one
 * pattern `AS\s+\S*(dev|...)\S*\s*$` backtracked quadratically over a long name full of "dev".
 */
const STAGE_NAME = /^\s*FROM\s+\S+\s+AS\s+(\S+)\s*$/i;
const isDevStage = (line: string): boolean => /dev|test|local|debug/i.test(STAGE_NAME.exec(line)?.[1] ?? "");
/**
 * `csrf.protect()`, `my_csrf.protect()`: the word before `.protect()` names CSRF. Matched word by word: the pattern
 * `\b\w*csrf\w*\.protect` backtracked quadratically over one long word holding "csrf" many times.
 */
const callsCsrfProtect = (text: string): boolean => {
  for (const [, word] of text.matchAll(/\b(\w+)\.protect\(\s*\)/gi)) if (/csrf/i.test(word!)) return true;
  return false;
};
/** Proxy, CDN and platform configs that can set response headers at the edge, and templates (a CSP <meta> tag). */
const EDGE_CONFIG_FILE = /(^|\/)([\w.-]+\.conf|Caddyfile|\.htaccess|_headers|netlify\.toml|vercel\.json|templates\/[\w./-]+\.(html?|jinja2?|j2))$/i;
const WSGI_SERVERS = new Set(["gunicorn", "uwsgi", "waitress-serve", "hypercorn", "uvicorn"]);
/** `module.path:app` or `module.path:create_app()` (anchored, linear). */
const WSGI_TARGET = /^([A-Za-z_][\w.]*):[A-Za-z_]\w*(\(.*\))?$/;

/** A deployment command line as words (shell form or the JSON-array exec form). */
function words(line: string): string[] {
  return line.split(/[\s"'[\],]+/).filter((w) => w.length > 0);
}

const baseName = (word: string): string => word.slice(word.lastIndexOf("/") + 1);

interface LaunchCommand {
  server: "wsgi" | "python" | "flask-run";
  /** Python files (.py) or dotted modules the command loads. */
  targets: string[];
}

/** What a deployment command starts, read word by word (no backtracking regex over the whole line). */
export function readLaunchCommand(line: string): LaunchCommand | null {
  const w = words(line);
  const lastRun = w.lastIndexOf("run"); // computed once: the loop below stays linear on hostile lines
  for (let i = 0; i < w.length; i++) {
    const word = baseName(w[i]!);
    const next = w[i + 1];
    if (WSGI_SERVERS.has(word) || (/^python[\d.]*$/.test(word) && next === "-m" && WSGI_SERVERS.has(w[i + 2] ?? ""))) {
      const targets = w.slice(i + 1).flatMap((arg) => {
        const match = WSGI_TARGET.exec(arg);
        if (match) return [match[1]!];
        return arg.endsWith(".py") && !arg.startsWith("-") ? [arg] : [];
      });
      return { server: "wsgi", targets };
    }
    if (word === "flask" && lastRun > i) return { server: "flask-run", targets: [] };
    if (/^python[\d.]*$/.test(word)) {
      let j = i + 1;
      while (j < w.length && w[j]!.startsWith("-") && w[j] !== "-m") j++;
      if (w[j] === "-m" && w[j + 1]) return w[j + 1] === "flask" && lastRun > j + 1 ? { server: "flask-run", targets: [] } : { server: "python", targets: [w[j + 1]!] };
      if (w[j]?.endsWith(".py")) return { server: "python", targets: [w[j]!] };
    }
  }
  return null;
}

export function collectProjectFacts(files: SourceFile[]): ProjectFacts {
  const facts = emptyProjectFacts();
  const pythonPaths = new Set(files.filter((f) => f.path.endsWith(".py")).map((f) => f.path));
  // "wsgi" / "app.main" / "./app.py" -> the scanned files it names (matched by path suffix: the command may run
  // from a sub-directory of the repository)
  const toFiles = (target: string): string[] => {
    const clean = target.replace(/^\.\//, "");
    const candidates = clean.endsWith(".py") ? [clean] : [`${clean.replace(/\./g, "/")}.py`, `${clean.replace(/\./g, "/")}/__init__.py`];
    return [...pythonPaths].filter((p) => candidates.some((c) => p === c || p.endsWith(`/${c}`)));
  };

  for (const file of files) {
    const text = file.content;
    if (file.path.endsWith(".py")) {
      if (/\bCSRFProtect\s*\(|\bcsrf\.init_app\s*\(|\bSeaSurf\s*\(|\bFlaskForm\b|\bflask_wtf\b/.test(text)) facts.csrfProtection = true;
      if (callsCsrfProtect(text) || (/\bbefore_(?:app_)?request\b/.test(text) && /X-Requested-With|X-CSRF-?Token|X-XSRF-?Token|\b_?csrf_token\b/i.test(text))) facts.csrfCustomCheck = true;
      if (/\bTalisman\s*\(|Content-Security-Policy/i.test(text)) facts.securityHeaders = true;
      if (/\bTalisman\s*\(|X-Frame-Options|X-Content-Type-Options|frame-ancestors/i.test(text)) facts.hardeningHeaders = true;
      if (/\bTRUSTED_HOSTS\b/.test(text)) facts.trustedHosts = true;
      if (/\bSERVER_NAME\s*=(?!=)|["']SERVER_NAME["']\s*(?:\]\s*=(?!=)|:)/.test(text)) facts.serverName = true;
      if (/\bMAX_CONTENT_LENGTH\b|\bmax_content_length\s*=(?!=)/.test(text)) facts.maxContentLength = true;
      if (/\bSESSION_TYPE\b|\bfrom flask_session\b|\bimport flask_session\b/.test(text)) facts.serverSideSessions = true;
      if (/\bFlask\s*\(/.test(text)) facts.flaskApp = true;
      if (/\brequest\.files\b/.test(text)) facts.uploads = true;
      if (/\bProxyFix\s*\(/.test(text)) facts.proxyFix = true;
      if (/\bflask_login\b|\blogin_user\s*\(|\bsession\[\s*["'](user_id|user|uid|username|account_id)["']\s*\]\s*=/.test(text)) facts.cookieAuth = true;
      if (/\bflask_jwt_extended\b|\bHTTPTokenAuth\b|["']Authorization["']|\bBearer\b/.test(text)) facts.tokenAuth = true;
      if (/\bMAX_FORM_MEMORY_SIZE\b|\bMAX_FORM_PARTS\b/.test(text)) facts.formLimits = true;
      if (/\bflask_cors\b|Access-Control-Allow-Origin/.test(text)) facts.cors = true;
      // `\s*(?:\]\s*)?`, not `\s*\]?\s*`: two adjacent \s* split a long blank every way (quadratic)
      if (/\bCORS_(?:ORIGINS|RESOURCES)\b["']?\s*(?:\]\s*)?[=:](?!=)/.test(text)) facts.corsConfig.origins = true;
      if (/\bCORS_SUPPORTS_CREDENTIALS\b["']?\s*(?:\]\s*)?[=:]\s*True\b/.test(text)) facts.corsConfig.credentials = true;
      if (/(^|\/)(wsgi|asgi)\.py$/.test(file.path)) facts.productionModules.add(file.path);
      if (/\b(?:app|application|[A-Za-z]\w{0,40}_app)\.run\s*\(|\brun_simple\s*\(/.test(text) && !/\b(?:waitress|gevent|eventlet|cheroot|bjoern|meinheld|tornado|gunicorn)\b/.test(text)) facts.devServerModules.add(file.path);
      continue;
    }
    if (EDGE_CONFIG_FILE.test(file.path) && /Content-Security-Policy/i.test(text)) facts.securityHeaders = true;
    if (EDGE_CONFIG_FILE.test(file.path) && /X-Frame-Options|X-Content-Type-Options|frame-ancestors/i.test(text)) facts.hardeningHeaders = true;
    if (/\bFLASK_TRUSTED_HOSTS\b/.test(text)) facts.trustedHosts = true;
    if (/\bFLASK_SERVER_NAME\b/.test(text)) facts.serverName = true;
    if (/\bFLASK_MAX_CONTENT_LENGTH\b/.test(text)) facts.maxContentLength = true;
    if (!DEPLOY_FILE.test(file.path)) continue;
    const devFile = DEV_DEPLOY_FILE.test(file.path.split("/").pop() ?? "");
    const lines = text.split(/\r?\n/);
    let devStage = false;
    lines.forEach((line, index) => {
      if (/^\s*#/.test(line)) return;
      if (/^\s*FROM\s/i.test(line)) devStage = isDevStage(line);
      const launch = readLaunchCommand(line);
      if (!launch) return;
      if (launch.server === "wsgi") {
        for (const target of launch.targets) for (const path of toFiles(target)) facts.productionModules.add(path);
        return;
      }
      // a dev-only file or stage, or a line that only prints the command, does not start production
      if (devFile || devStage || !isDeploymentLine(file.path, line) || /^\s*(?:RUN\s+)?(?:echo|printf)\b/i.test(commandPart(line))) return;
      facts.devServerCommands.push({ file: file.path, line: index + 1, command: line.trim() });
      for (const target of launch.targets) for (const path of toFiles(target)) facts.directlyRunInProduction.add(path);
    });
  }
  return facts;
}

/** Lines that start the production process: Dockerfile CMD/ENTRYPOINT, a Procfile web process, a compose command. */
/** The command of a deployment line, without its instruction word (`CMD`, `web:`, `command:`, `ExecStart=`). */
function commandPart(line: string): string {
  return line.replace(/^\s*(?:CMD|ENTRYPOINT|web\s*:|command\s*:|entrypoint\s*:|ExecStart\s*=|-)\s*/i, "").replace(/^[\["'\s]+/, "");
}

function isDeploymentLine(path: string, line: string): boolean {
  const name = path.split("/").pop() ?? path;
  if (/\.service$/i.test(name)) return /^\s*ExecStart\s*=/.test(line);
  if (/dockerfile/i.test(name)) return /^\s*(CMD|ENTRYPOINT)\b/i.test(line);
  if (/^Procfile$/i.test(name)) return /^\s*web\s*:/.test(line);
  if (/compose/i.test(name)) return /^\s*(command|entrypoint)\s*:/.test(line) || /^\s*-\s/.test(line);
  return true; // shell scripts and ini files: the command is what they run
}
