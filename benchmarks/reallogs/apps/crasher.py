"""Program for supervisord: starts, works briefly, crashes with an exception."""
import socket
import sys
import time

print("crasher: starting", flush=True)
time.sleep(0.5)
socket.create_connection(("127.0.0.1", 5999), timeout=1)
sys.exit(0)
