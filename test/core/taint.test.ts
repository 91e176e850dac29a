import { describe, expect, it } from "vitest";
import { ImportTable, parsePython } from "../../src/core/python.js";
import { TaintAnalyzer } from "../../src/core/taint.js";

/** Taint of each argument of the `sink(...)` call in the source, as "level" or "-". */
function sinkArgs(source: string): Record<string, string> {
  const tree = parsePython(source);
  const analyzer = new TaintAnalyzer(tree.rootNode, ImportTable.fromTree(tree.rootNode));
  const sink = tree.rootNode.descendantsOfType("call").find((c) => c.childForFieldName("function")?.text === "sink");
  if (!sink) throw new Error("no sink() call in the test source");
  const out: Record<string, string> = {};
  for (const arg of sink.childForFieldName("arguments")!.namedChildren) out[arg.text] = analyzer.taintOf(arg)?.level ?? "-";
  return out;
}

const header = "from flask import Flask, request\napp = Flask(__name__)\n";

describe("taint sources (spec 2.1)", () => {
  it("knows every request attribute the spec names", () => {
    const result = sinkArgs(`${header}
@app.route("/")
def view():
    sink(request.args, request.form["a"], request.values.get("v"), request.get_json(), request.json["k"],
         request.data, request.headers.get("X-A"), request.cookies["c"], request.files["f"], request.method)
`);
    expect(Object.values(result)).toEqual(["direct", "direct", "direct", "direct", "direct", "direct", "direct", "direct", "direct", "-"]);
  });

  it("treats route path parameters as untrusted, except numeric and uuid converters", () => {
    const result = sinkArgs(`${header}
@app.route("/u/<name>/<int:uid>/<path:rest>/<uuid:key>")
def view(name, uid, rest, key, extra=None):
    sink(name, uid, rest, key, extra)
`);
    expect(result).toEqual({ name: "direct", uid: "-", rest: "direct", key: "-", extra: "-" });
  });

  it("reads blueprint shorthand routes", () => {
    const result = sinkArgs(`from flask import Blueprint
bp = Blueprint("b", __name__)
@bp.post("/items/<slug>")
def create(slug):
    sink(slug)
`);
    expect(result).toEqual({ slug: "direct" });
  });

  it("resolves aliased imports and module imports", () => {
    const result = sinkArgs(`import flask
from flask import request as r
def view():
    sink(r.args["q"], flask.request.form["q"])
`);
    expect(Object.values(result)).toEqual(["direct", "direct"]);
  });

  it("does not mistake a local object named request for Flask's", () => {
    const result = sinkArgs(`import requests
def view(request):
    sink(request.args)
`);
    expect(Object.values(result)).toEqual(["-"]);
  });

  it("marks rows loaded through an ORM or a cursor as persisted", () => {
    const result = sinkArgs(`${header}
def view(cur):
    row = cur.fetchone()
    user = User.query.filter_by(id=1).first()
    post = db.session.get(Post, 3)
    sink(row[0], user.bio, cur.fetchall())
`);
    expect(Object.values(result)).toEqual(["persisted", "persisted", "persisted"]);
  });
});

describe("propagation", () => {
  it("follows assignments, concatenation, %, format, f-strings, join and containers", () => {
    const result = sinkArgs(`${header}
def view():
    q = request.args.get("q", "")
    a = "SELECT " + q
    b = "%s!" % q
    c = "{}".format(q)
    d = f"x {q}"
    e = ", ".join([q, "x"])
    f = q.strip().lower()
    g = (q, 1)
    h = q or "default"
    i = q if q else "x"
    sink(a, b, c, d, e, f, g, h, i)
`);
    expect(Object.values(result).every((v) => v === "direct")).toBe(true);
  });

  it("follows tuple unpacking, for loops, walrus and augmented assignment", () => {
    const result = sinkArgs(`${header}
def view():
    a, b = request.args["x"], 1
    for item in request.form.getlist("tags"):
        c = item
    if (d := request.args.get("d")):
        pass
    e = "prefix"
    e += request.args["e"]
    sink(a, c, d, e)
`);
    expect(Object.values(result)).toEqual(["direct", "direct", "direct", "direct"]);
  });

  it("sees through closures into the enclosing function", () => {
    const result = sinkArgs(`${header}
def view():
    q = request.args["q"]
    def inner():
        sink(q)
    return inner
`);
    expect(result).toEqual({ q: "direct" });
  });
});

describe("sanitizers and kills", () => {
  it("ends the taint at sanitizers (spec 2.1)", () => {
    const result = sinkArgs(`from flask import request, url_for, escape
from werkzeug.utils import secure_filename
from werkzeug.security import safe_join
import shlex
def view():
    q = request.args["q"]
    sink(int(q), secure_filename(q), safe_join("/base", q), url_for("x", q=q), escape(q), shlex.quote(q), len(q))
`);
    expect(Object.values(result).every((v) => v === "-")).toBe(true);
  });

  it("lets a later assignment in the same block replace an earlier one", () => {
    const result = sinkArgs(`${header}
def view():
    q = request.args["q"]
    q = int(q)
    sink(q)
`);
    expect(result).toEqual({ q: "-" });
  });

  it("keeps a tainted assignment from a branch that may have run", () => {
    const result = sinkArgs(`${header}
def view():
    q = "constant"
    if request.args.get("raw"):
        q = request.args["raw"]
    sink(q)
`);
    expect(result).toEqual({ q: "direct" });
  });

  it("does not propagate through unknown calls or comparisons", () => {
    const result = sinkArgs(`${header}
def view():
    q = request.args["q"]
    sink(lookup(q), q == "x", q.startswith("a"), not q)
`);
    expect(Object.values(result).every((v) => v === "-")).toBe(true);
  });

  it("treats get(..., type=int) as a conversion, and Markup() as carrying its argument", () => {
    const result = sinkArgs(`from flask import request
from markupsafe import Markup
def view():
    page = request.args.get("page", 1, type=int)
    name = request.args.get("name", type=str)
    sink(page, name, Markup(name))
`);
    expect(result).toEqual({ page: "-", name: "direct", "Markup(name)": "direct" });
  });

  it("lets a sink keep a sanitizer that does not protect it", () => {
    const source = `from flask import request, escape
def view():
    who = escape(request.args["w"])
    sink(who)
`;
    const tree = parsePython(source);
    const imports = ImportTable.fromTree(tree.rootNode);
    const arg = tree.rootNode.descendantsOfType("call").find((c) => c.text === "sink(who)")!.childForFieldName("arguments")!.namedChild(0);
    expect(new TaintAnalyzer(tree.rootNode, imports).taintOf(arg)).toBeNull();
    expect(new TaintAnalyzer(tree.rootNode, imports, { notSanitizers: ["flask.escape"] }).taintOf(arg)?.level).toBe("direct");
  });

  it("does not treat the session (a signed cookie the app wrote) as a request source", () => {
    const result = sinkArgs(`from flask import session
def view():
    sink(session.get("user_id"))
`);
    expect(Object.values(result)).toEqual(["-"]);
  });
});

describe("flow steps", () => {
  it("records the source and each assignment with its line", () => {
    const tree = parsePython(`${header}
def view():
    q = request.args["q"]
    sql = "SELECT " + q
    sink(sql)
`);
    const analyzer = new TaintAnalyzer(tree.rootNode, ImportTable.fromTree(tree.rootNode));
    const sink = tree.rootNode.descendantsOfType("call").find((c) => c.text.startsWith("sink"))!;
    const taint = analyzer.taintOf(sink.childForFieldName("arguments")!.namedChild(0));
    expect(taint?.flow.map((s) => [s.line, s.label])).toEqual([
      [5, 'request.args["q"]'],
      [5, "assigned to q"],
      [6, "assigned to sql"],
    ]);
  });
});

describe("comprehensions and generators", () => {
  it("binds loop variables to the iterable and judges the body", () => {
    const result = sinkArgs(`import shlex
from flask import request
def view():
    tags = request.args.getlist("t")
    a = " ".join([shlex.quote(x) for x in tags])
    b = " ".join(x for x in tags)
    c = [x.strip() for x in tags]
    d = {k: 1 for k in tags}
    e = [1 for x in tags]
    sink(a, b, c, d, e, x)
`);
    expect(result).toEqual({ a: "-", b: "direct", c: "direct", d: "-", e: "-", x: "-" });
  });
});
