"""Small WSGI app for gunicorn: / ok, /slow sleeps past the worker timeout,
/boom raises, /db fails to reach a database on 127.0.0.1:5999, others 404."""
import socket
import time


def app(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    if path == "/":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"hello\n"]
    if path == "/slow":
        time.sleep(30)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"late\n"]
    if path == "/boom":
        raise ValueError("boom: invalid order id %r" % environ.get("QUERY_STRING"))
    if path == "/db":
        socket.create_connection(("127.0.0.1", 5999), timeout=1)
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"not found\n"]
