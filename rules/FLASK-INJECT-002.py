# fixture-path: opsconsole/views.py
"""Ops console: network diagnostics, backups and log search for the admin team."""
import asyncio
import os
import re
import shlex
import subprocess
import subprocess as sp
from os import system
from subprocess import Popen, check_output
from subprocess import run as sh

from flask import Blueprint, Flask, abort, current_app, jsonify, request
from flask.views import MethodView
from werkzeug.utils import secure_filename

from .models import Job

app = Flask(__name__)
tools = Blueprint("tools", __name__, url_prefix="/tools")

ALLOWED_TOOLS = {"uptime", "df", "free"}
COMMANDS = {"disk": "df -h", "memory": "free -m", "load": "uptime"}
HOSTNAME_RE = re.compile(r"^[A-Za-z0-9.-]+$")
PING_COUNT = 3
PING_OPTIONS = "-c 3 -W 2"
REPORT_SCRIPT = 'wkhtmltopdf --quiet "$REPORT_URL" /tmp/report.pdf'


# --- shell command strings built from request data ----------------------------------------------------------------

@app.route("/ping")
def ping():
    host = request.args.get("host", "")
    result = subprocess.run(f"ping -c 1 {host}", shell=True, capture_output=True, text=True)  # expect: FLASK-INJECT-002
    return jsonify(output=result.stdout)


@app.route("/traceroute", methods=["POST"])
def traceroute():
    target = request.form["target"]
    output = sp.check_output("traceroute -m 10 " + target, shell=True)  # expect: FLASK-INJECT-002
    return output


@app.route("/nslookup")
def nslookup():
    domain = request.args["domain"]
    os.system("nslookup %s" % domain)  # expect: FLASK-INJECT-002
    return "", 204


@app.route("/whois")
def whois():
    domain = request.values.get("domain")
    proc = Popen("whois {}".format(domain), shell=True, stdout=subprocess.PIPE)  # expect: FLASK-INJECT-002
    return proc.communicate()[0]


@tools.route("/dig/<domain>")
def dig(domain):
    return sh(f"dig +short {domain}", shell=True, capture_output=True).stdout  # expect: FLASK-INJECT-002


@tools.route("/wake", methods=["POST"])
def wake():
    mac = request.get_json()["mac"]
    system(f"wakeonlan {mac}")  # expect: FLASK-INJECT-002
    return "", 202


@tools.route("/reachable")
def reachable():
    host = request.args.get("host", "")
    status = os.system(f"ping -c 1 -W 1 {host}")  # expect: FLASK-INJECT-002
    return jsonify(up=status == 0)


@tools.route("/grep")
def grep_logs():
    pattern = request.args.get("q", "")
    result = subprocess.run(  # a multi-line call: the fix keeps the other arguments
        f"grep -i '{pattern}' /var/log/app/app.log",  # expect: FLASK-INJECT-002
        shell=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


@tools.route("/commits")
def commits():
    author = request.args.get("author", "")
    log = subprocess.check_output(f"git log --author={author} --oneline", shell=True, cwd="/srv/app")  # expect: FLASK-INJECT-002
    return log


@tools.route("/ping-many")
def ping_many():
    host = request.args.get("host", "")
    cmd = "ping -c {count} {host}".format(count=PING_COUNT, host=host)
    return subprocess.run(cmd, shell=True, capture_output=True).stdout  # expect: FLASK-INJECT-002


@tools.route("/uptime/<server>")
def remote_uptime(server):
    return subprocess.getoutput("ssh -o BatchMode=yes " + server + " uptime")  # expect: FLASK-INJECT-002


@tools.route("/disk")
def disk_usage():
    mount = request.args.get("mount", "/")
    with os.popen(f"df -h {mount}") as pipe:  # expect: FLASK-INJECT-002
        return pipe.read()


@tools.route("/run", methods=["POST"])
def run_command():
    subprocess.call(request.form["cmd"], shell=True)  # expect: FLASK-INJECT-002
    return "", 204


@tools.route("/backup", methods=["POST"])
def backup():
    path = request.form.get("path", "")
    command = "tar -czf /var/backups/site.tgz " + path
    subprocess.check_call(command, shell=True)  # expect: FLASK-INJECT-002
    return "", 201


@tools.route("/archive", methods=["POST"])
def archive():
    name = request.headers.get("X-Archive-Name", "nightly")
    out = f"/var/backups/{secure_filename(name)}.tgz"
    subprocess.run(f"tar -czf {shlex.quote(out)} /srv/data --label {name}", shell=True, check=True)  # expect: FLASK-INJECT-002
    return "", 201


@tools.route("/convert", methods=["POST"])
def convert():
    src = request.json["src"]
    size = int(request.json["size"])
    subprocess.run("convert %s -resize %d out.png" % (src, size), shell=True)  # expect: FLASK-INJECT-002
    return "", 204


@tools.route("/scan")
async def scan():
    target = request.args.get("target", "")
    proc = await asyncio.create_subprocess_shell(f"nmap -sV {target}", stdout=asyncio.subprocess.PIPE)  # expect: FLASK-INJECT-002
    stdout, _ = await proc.communicate()
    return stdout


@tools.route("/sync/<int:job_id>", methods=["POST"])
def sync(job_id):
    job = Job.query.get_or_404(job_id)
    subprocess.run(f"rsync -a {job.source} /srv/mirror/", shell=True, check=True)  # expect: FLASK-INJECT-002
    os.system(job.post_hook)  # expect: FLASK-INJECT-002
    return "", 202


class ExportView(MethodView):
    def post(self):
        folder = request.json["folder"]
        subprocess.run("du -sh " + folder, shell=True)  # expect: FLASK-INJECT-002
        return "", 204


# --- shell trampolines: sh -c, cmd /c, powershell -Command ----------------------------------------------------------

@tools.route("/ping-bash")
def ping_bash():
    host = request.args.get("host", "")
    return subprocess.run(["bash", "-c", f"ping -c 1 {host}"], capture_output=True).stdout  # expect: FLASK-INJECT-002


@tools.route("/notify", methods=["POST"])
def notify():
    message = request.form["message"]
    check_output(["/bin/sh", "-c", "logger -t ops " + message])  # expect: FLASK-INJECT-002
    return "", 204


@tools.route("/win/dir")
def windows_dir():
    folder = request.args.get("folder", "C:\\")
    return subprocess.run(["cmd", "/c", "dir", folder], capture_output=True).stdout  # expect: FLASK-INJECT-002


@tools.route("/win/item")
def windows_item():
    path = request.args.get("path", "")
    script = f"Get-Item {path} | Format-List"
    return subprocess.run(
        ["powershell.exe", "-NoProfile", "-ExecutionPolicy", "Bypass", "-Command", script], capture_output=True  # expect: FLASK-INJECT-002
    ).stdout


@tools.route("/batch", methods=["POST"])
async def batch():
    script = request.get_data(as_text=True)
    proc = await asyncio.create_subprocess_exec("sh", "-c", script)  # expect: FLASK-INJECT-002
    return str(await proc.wait())


@tools.route("/env-shell")
def env_shell():
    cmd = request.args.get("cmd", "")
    argv = ["/usr/bin/env", "LANG=C", "bash", "-lc", cmd]
    return subprocess.run(argv, capture_output=True).stdout  # expect: FLASK-INJECT-002


@tools.route("/remote/df")
def remote_df():
    mount = request.args.get("mount", "/")
    out = subprocess.run(["ssh", "-o", "BatchMode=yes", "ops@db1", f"df -h {mount}"], capture_output=True)  # expect: FLASK-INJECT-002
    return out.stdout


@tools.route("/as-app", methods=["POST"])
def run_as_app():
    task = request.form["task"]
    subprocess.run(["sudo", "-u", "app", "sh", "-c", f"cd /srv/app && make {task}"], check=True)  # expect: FLASK-INJECT-002
    return "", 202


@tools.route("/calc")
def calc():
    expr = request.args.get("expr", "0")
    return check_output(["python3", "-c", f"print({expr})"])  # expect: FLASK-INJECT-002


@tools.route("/exec-sh/<path:target>", methods=["POST"])
def exec_sh(target):
    os.execl("/bin/sh", "sh", "-c", "exec /usr/bin/deploy " + target)  # expect: FLASK-INJECT-002


@tools.route("/lookup", methods=["POST"])
def lookup():
    name = request.form["name"]
    result = subprocess.run(args="host -t A " + name, shell=True, capture_output=True, text=True)  # expect: FLASK-INJECT-002
    return result.stdout


# --- the program itself comes from the request ------------------------------------------------------------------------

@tools.route("/version")
def tool_version():
    tool = request.args["tool"]
    return subprocess.run([tool, "--version"], capture_output=True).stdout  # expect: FLASK-INJECT-002


@tools.route("/exec", methods=["POST"])
def exec_split():
    return subprocess.check_output(shlex.split(request.form["cmdline"]))  # expect: FLASK-INJECT-002


@tools.route("/daemon/<name>", methods=["POST"])
def start_daemon(name):
    pid = os.spawnlp(os.P_NOWAIT, name, name, "--daemon")  # expect: FLASK-INJECT-002
    return jsonify(pid=pid)


@tools.route("/plugin", methods=["POST"])
def run_plugin():
    plugin = request.json.get("plugin")
    argv = [f"/opt/plugins/{plugin}", "--json"]
    return subprocess.run(argv, capture_output=True).stdout  # expect: FLASK-INJECT-002


@tools.route("/render", methods=["POST"])
def render_report():
    engine = request.form.get("engine", "wkhtmltopdf")
    subprocess.run(["render", "/tmp/in.html"], executable=engine)  # expect: FLASK-INJECT-002
    return "", 204


# --- look-alikes that must stay silent ----------------------------------------------------------------------------------

@tools.route("/safe/ping")
def safe_ping():
    host = request.args.get("host", "")
    return subprocess.run(["ping", "-c", "1", host], capture_output=True).stdout  # ok: FLASK-INJECT-002 (list args without a shell)


@tools.route("/safe/log")
def safe_log():
    path = request.args.get("path", "")
    return check_output(["git", "log", "--oneline", "--", path], cwd="/srv/app")  # ok: FLASK-INJECT-002 (list args, value after --)


@tools.route("/safe/uptime")
def safe_uptime():
    return subprocess.run("uptime", shell=True, capture_output=True).stdout  # ok: FLASK-INJECT-002 (constant command string)


@tools.route("/safe/ping-quoted")
def safe_ping_quoted():
    host = request.args.get("host", "")
    os.system(f"ping -c 1 {shlex.quote(host)}")  # ok: FLASK-INJECT-002 (shlex.quote)
    return "", 204


@tools.route("/safe/reload", methods=["POST"])
def safe_reload():
    os.system(f"kill -HUP {int(request.form['pid'])}")  # ok: FLASK-INJECT-002 (int() conversion)
    return "", 204


@tools.route("/safe/kill/<int:pid>", methods=["POST"])
def safe_kill(pid):
    os.system(f"kill -TERM {pid}")  # ok: FLASK-INJECT-002 (int route converter)
    return "", 204


@tools.route("/safe/no-shell")
def safe_no_shell():
    host = request.args.get("host", "")
    return subprocess.run(f"ping -c 1 {host}", shell=False).returncode  # ok: FLASK-INJECT-002 (no shell; the program is the literal ping)


@tools.route("/safe/maintenance", methods=["POST"])
def safe_maintenance():
    subprocess.run(current_app.config["MAINTENANCE_CMD"], shell=True, check=True)  # ok: FLASK-INJECT-002 (command from config)
    os.system(os.environ["DEPLOY_HOOK"])  # ok: FLASK-INJECT-002 (deployment environment, not the request)
    return "", 204


def ping_host(host):
    return subprocess.run(f"ping -c 1 {host}", shell=True).returncode  # ok: FLASK-INJECT-002 (helper parameter, origin unknown)


@tools.route("/safe/disk")
def safe_disk():
    cmd = "df -h"
    return subprocess.run(cmd, shell=True, capture_output=True).stdout  # ok: FLASK-INJECT-002 (constant held in a variable)


@tools.route("/safe/tool")
def safe_tool():
    tool = request.args.get("tool", "")
    if tool not in ALLOWED_TOOLS:
        abort(400)
    os.system(tool)  # ok: FLASK-INJECT-002 (allowlisted before use)
    return subprocess.run([tool], capture_output=True).stdout  # ok: FLASK-INJECT-002 (allowlisted program)


@tools.route("/safe/ping-checked")
def safe_ping_checked():
    host = request.args.get("host", "")
    if not HOSTNAME_RE.match(host):
        return jsonify(error="bad host"), 400
    return sh(f"ping -c 1 {host}", shell=True, capture_output=True).stdout  # ok: FLASK-INJECT-002 (strict anchored regex check)


@tools.route("/safe/port")
def safe_port():
    port = request.args.get("port", "")
    if port.isdigit():
        return str(os.system(f"nc -z localhost {port}"))  # ok: FLASK-INJECT-002 (digits only)
    abort(400)


@tools.route("/safe/stats")
def safe_stats():
    cmd = COMMANDS[request.args.get("what", "load")]
    return subprocess.run(cmd, shell=True, capture_output=True).stdout  # ok: FLASK-INJECT-002 (dictionary allowlist lookup)


@tools.route("/safe/echo")
def safe_echo():
    host = request.args.get("host", "")
    return subprocess.run(["sh", "-c", 'ping -c 1 -- "$1"', "sh", host], capture_output=True).stdout  # ok: FLASK-INJECT-002 (value passed as $1, not code)


@tools.route("/safe/report", methods=["POST"])
def safe_report():
    url = request.form["url"]
    Popen(["bash", "-c", REPORT_SCRIPT], env={"REPORT_URL": url, "PATH": "/usr/bin"})  # ok: FLASK-INJECT-002 (value passed in the environment)
    return "", 202


@tools.route("/safe/joined")
def safe_joined():
    host = request.args.get("host", "")
    return subprocess.run(shlex.join(["ping", "-c", "1", host]), shell=True).returncode  # ok: FLASK-INJECT-002 (shlex.join quotes every word)


@tools.route("/safe/compress", methods=["POST"])
def safe_compress():
    files = request.form.getlist("file")
    os.system("gzip -k " + " ".join(shlex.quote(f) for f in files))  # ok: FLASK-INJECT-002 (every word shlex.quote()d)
    os.system("sha256sum " + " ".join([shlex.quote(f) for f in files]))  # ok: FLASK-INJECT-002 (every word shlex.quote()d)


@tools.route("/safe/list-shell")
def safe_list_shell():
    folder = request.args.get("folder", "")
    return subprocess.run(["ls", folder], shell=True).returncode  # ok: FLASK-INJECT-002 (with shell=True only the first item is the command)


@tools.route("/safe/convert/<name>", methods=["POST"])
def safe_convert(name):
    os.execv("/usr/bin/convert", ["convert", f"/srv/in/{secure_filename(name)}", "/srv/out.png"])  # ok: FLASK-INJECT-002 (constant program)


@tools.route("/safe/tool-plugin", methods=["POST"])
def safe_plugin():
    plugin = secure_filename(request.form["plugin"])
    return subprocess.run([f"/opt/plugins/{plugin}", "--json"], capture_output=True).stdout  # ok: FLASK-INJECT-002 (secure_filename: one file of the plugin folder)


@tools.route("/safe/ping6")
def safe_ping6():
    host = request.args.get("host", "")
    if request.args.get("v6"):
        argv = ["ping6", "-c", "1", host]
    else:
        argv = ["ping", "-c", "1", host]
    argv += ["-W", "2"]
    return subprocess.run(argv, capture_output=True).stdout  # ok: FLASK-INJECT-002 (program constant in every branch)


@tools.route("/safe/remote-uptime")
def safe_remote_uptime():
    host = request.args.get("host", "")
    return subprocess.run(["ssh", "-o", "BatchMode=yes", "--", host, "uptime"], capture_output=True).stdout  # ok: FLASK-INJECT-002 (user value is the destination, after --)


@tools.route("/safe/deploy", methods=["POST"])
def safe_deploy():
    branch = request.form["branch"]
    subprocess.run(["bash", "/srv/deploy.sh", "--", branch], check=True)  # ok: FLASK-INJECT-002 (script file, value is an argument)
    subprocess.run(["python3", "-m", "app.tasks.deploy", branch], check=True)  # ok: FLASK-INJECT-002 (python -m module, not -c code)
    return "", 202


@tools.route("/safe/sleep")
def safe_sleep():
    seconds = request.args.get("seconds", 1, type=int)
    os.system(f"sleep {seconds}")  # ok: FLASK-INJECT-002 (type=int conversion)
    return "", 204


@tools.route("/safe/stop")
def safe_stop():
    service = request.args.get("service", "")
    if service not in ALLOWED_TOOLS:
        abort(404)
    else:
        subprocess.run(f"systemctl stop {service}", shell=True)  # ok: FLASK-INJECT-002 (allowlist check in the if branch)
    return "", 204


@tools.route("/safe/nmap")
async def safe_nmap():
    target = request.args.get("target", "")
    proc = await asyncio.create_subprocess_exec("nmap", "-sV", "--", target)  # ok: FLASK-INJECT-002 (exec form, constant program)
    return str(await proc.wait())


@tools.route("/safe/ping-options")
def safe_ping_options():
    return subprocess.run(f"ping {PING_OPTIONS} localhost", shell=True).returncode  # ok: FLASK-INJECT-002 (module constants only)


@tools.route("/maybe-shell")
def maybe_shell():
    cmd = request.args.get("cmd", "")
    use_shell = current_app.config.get("USE_SHELL", False)
    return subprocess.run(cmd, shell=use_shell).returncode  # todo: FLASK-INJECT-002 (shell flag is not a literal)


@tools.route("/ping-helper")
def ping_helper():
    return str(ping_host(request.args["host"]))  # todo: FLASK-INJECT-002 (needs inter-procedural flow into ping_host)
