"""The original hit counter: Flask + redis-py, one INCR per view, as the seed app did it.

Kept as the seed wrote it (a module-level client, five retries on a connection error), except that it
reads REDIS_URL and COUNTER_KEY and answers the same HTML page as ours, so every server in the
benchmark sends the same bytes.
"""
import os
import time

import redis
from flask import Flask

app = Flask(__name__)
cache = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"))
KEY = os.environ.get("COUNTER_KEY", "views")

PAGE = (
    "<!DOCTYPE html>\n"
    '<html lang="en">\n'
    '<head><meta charset="utf-8"><title>Hit counter</title></head>\n'
    "<body><p>Hello! This page has been seen {} times.</p></body>\n"
    "</html>\n"
)


def get_hit_count():
    retries = 5
    while True:
        try:
            return cache.incr(KEY)
        except redis.exceptions.ConnectionError:
            if retries == 0:
                raise
            retries -= 1
            time.sleep(0.5)


@app.route("/")
def hello():
    count = get_hit_count()
    return PAGE.format(count), 200, {"Content-Type": "text/html; charset=UTF-8", "Cache-Control": "no-store"}
