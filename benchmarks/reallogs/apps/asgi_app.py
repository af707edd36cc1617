"""Small raw ASGI app for uvicorn: / ok, /boom raises, /db fails, others 404."""
import socket


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            msg = await receive()
            if msg["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif msg["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    path = scope["path"]
    if path == "/boom":
        raise KeyError("missing field 'customer_id'")
    if path == "/db":
        socket.create_connection(("127.0.0.1", 5999), timeout=1)
    status, body = (200, b"hello\n") if path == "/" else (404, b"not found\n")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": body})
