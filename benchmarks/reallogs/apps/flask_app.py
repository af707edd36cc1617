"""Flask app on the werkzeug dev server: / ok, /boom raises (500 traceback), others 404.
Usage: python flask_app.py PORT  (logs to stderr)"""
import sys

from flask import Flask, abort

app = Flask("shop")


@app.route("/")
def index():
    return "hello\n"


@app.route("/orders/<int:oid>")
def order(oid):
    if oid > 100:
        abort(404)
    return {"id": oid, "total": 100 / (oid - 7)}


@app.route("/boom")
def boom():
    raise RuntimeError("payment backend returned garbage")


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(sys.argv[1]))
