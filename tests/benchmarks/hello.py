"""A Flask hello world, served by ``make bench`` on the same gunicorn settings as
the product: the ceiling a page's req/s is compared with (issue 18)."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"
