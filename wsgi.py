"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi ...``."""

from pathlib import Path

from dotenv import load_dotenv

_env_file = Path(__file__).resolve().parent / ".env"
if _env_file.exists():
    load_dotenv(_env_file)

from incubator import create_app  # noqa: E402  (the environment must be loaded first)

app = create_app()
