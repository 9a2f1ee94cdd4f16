"""The web app for a WSGI server: ``gunicorn wsgi:app``."""

from couples import create_app, logs
from couples.config import require

app = create_app()
logs.configure(app.config)  # text, or JSON with COUPLES_LOG_FORMAT=json
# Unlike `serve`, a server started this way knows neither its secret nor its public
# address: it refuses to start without them rather than trust each request's Host header.
require(app.config, "SECRET_KEY", "BASE_URL")
