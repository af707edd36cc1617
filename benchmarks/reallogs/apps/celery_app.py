"""Celery app with a filesystem broker (no server needed). BROKER_DIR env var."""
import os
import socket
import time

from celery import Celery

d = os.environ.get("BROKER_DIR", "/tmp/celery-broker")
app = Celery("tasks", broker="filesystem://")
app.conf.broker_transport_options = {"data_folder_in": d + "/out", "data_folder_out": d + "/out",
                                     "processed_folder": d + "/processed", "store_processed": True,
                                     "control_folder": d + "/control"}
app.conf.worker_hijack_root_logger = True


@app.task
def add(x, y):
    return x + y


@app.task
def divide(x, y):
    return x / y


@app.task(bind=True, max_retries=2, default_retry_delay=1)
def sync_db(self):
    try:
        socket.create_connection(("127.0.0.1", 5999), timeout=1)
    except OSError as exc:
        raise self.retry(exc=exc)


@app.task
def sleepy(n):
    time.sleep(n)
    return n
