"""The web app for a WSGI server: ``gunicorn wsgi:app``."""

from couples import create_app

app = create_app()
if not app.config.get("SECRET_KEY"):
    raise RuntimeError("Set COUPLES_SECRET_KEY (or run `flask --app couples serve` once "
                       "to create one in the instance folder).")
