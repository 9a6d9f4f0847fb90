"""ASGI entry point for servers: ``uvicorn northstar.web.asgi:app`` (settings from the environment)."""

from northstar.web.app import create_app

app = create_app()
