"""Tornado app with tornado's default (pretty) logging.
Usage: python tornado_app.py --port=PORT --log-file-prefix=FILE"""
import socket

import tornado.ioloop
import tornado.options
import tornado.web
from tornado.log import app_log

tornado.options.define("port", default=8888, type=int)


class Main(tornado.web.RequestHandler):
    def get(self):
        self.write("hello\n")


class Boom(tornado.web.RequestHandler):
    def get(self):
        raise ZeroDivisionError("division by zero in price calculation")


class Db(tornado.web.RequestHandler):
    def get(self):
        try:
            socket.create_connection(("127.0.0.1", 5999), timeout=1)
        except OSError as exc:
            app_log.error("database unavailable: %s", exc)
            raise tornado.web.HTTPError(503, "database unavailable")


class Login(tornado.web.RequestHandler):
    def post(self):
        app_log.warning("failed login for user %r", self.get_argument("user", ""))
        raise tornado.web.HTTPError(403)


class Quit(tornado.web.RequestHandler):
    def get(self):
        app_log.info("shutdown requested")
        tornado.ioloop.IOLoop.current().add_callback(tornado.ioloop.IOLoop.current().stop)


if __name__ == "__main__":
    tornado.options.parse_command_line()
    app = tornado.web.Application([(r"/", Main), (r"/boom", Boom), (r"/db", Db),
                                   (r"/login", Login), (r"/quit", Quit)])
    app.listen(tornado.options.options.port, address="127.0.0.1")
    app_log.info("listening on 127.0.0.1:%d", tornado.options.options.port)
    tornado.ioloop.IOLoop.current().start()
