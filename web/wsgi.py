"""WSGI entry point for gunicorn: `gunicorn 'web.wsgi:app'`. No worker thread here: run `casegrid worker`."""
from web import create_app

app = create_app(start_worker=False)
