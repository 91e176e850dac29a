# fixture-path: legacy/app.py
# A legacy module written against `from flask import *`, with a helper module of Jinja utilities.
from flask import *
from jinja2 import Environment, select_autoescape
from jinja2.sandbox import SandboxedEnvironment

from legacy.pages import Color

app = Flask(__name__)
mail_env = Environment(autoescape=select_autoescape())


class SafeEnvironment(SandboxedEnvironment):
    intercepted_binops = frozenset(["**"])


class Palette:
    @classmethod
    def from_string(cls, text):
        return cls()


@app.route("/legacy/hello")
def legacy_hello():
    who = request.args.get("who", "world")
    return render_template_string("<p>Hello " + who + "</p>")  # expect: FLASK-SSTI-001


@app.route("/legacy/escaped")
def legacy_escaped():
    who = escape(request.args.get("who", "world"))
    return render_template_string(f"<p>Hello {who}</p>")  # expect: FLASK-SSTI-001


@app.route("/legacy/mail", methods=["POST"])
def legacy_mail():
    subject = request.form["subject"]
    return mail_env.from_string(subject).render(user=session.get("user"))  # expect: FLASK-SSTI-001


def render_with(env, source):
    return env.from_string(source).render()  # ok: FLASK-SSTI-001 (plain parameters: no untrusted source in this function)


@app.route("/legacy/unknown-env", methods=["POST"])
def legacy_unknown_env():
    env = make_environment()
    return env.from_string(request.form["tpl"]).render()  # expect: FLASK-SSTI-001


@app.route("/legacy/safe")
def legacy_safe():
    who = request.args.get("who", "world")
    return render_template_string("<p>Hello {{ who }}</p>", who=who)  # ok: FLASK-SSTI-001 (constant template)


@app.route("/legacy/sandbox-subclass", methods=["POST"])
def legacy_sandbox_subclass():
    return SafeEnvironment().from_string(request.form["tpl"]).render()  # ok: FLASK-SSTI-001 (a SandboxedEnvironment subclass)


@app.route("/legacy/palette")
def legacy_palette():
    return str(Palette.from_string(request.args["p"]))  # ok: FLASK-SSTI-001 (a local class's own from_string)


@app.route("/legacy/color")
def legacy_color():
    return Color.from_string(request.args["c"]).hex  # ok: FLASK-SSTI-001 (imported class, not a Jinja environment)


@app.route("/legacy/palette-instance")
def legacy_palette_instance():
    palette = Palette()
    return str(palette.from_string(request.args["p"]))  # ok: FLASK-SSTI-001 (instance of a local non-Jinja class)
