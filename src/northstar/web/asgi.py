"""ASGI entry point for servers: ``uvicorn northstar.web.asgi:app`` (settings from the environment).

After the app is built, everything alive (routes, ORM mappers, templates, pydantic models: a few hundred
thousand objects) moves to the garbage collector's permanent generation. A full collection would otherwise walk
them all; on the 100,000-item benchmark company one took 0.27-0.29 s, stalling every request in flight.
"""

import gc

from northstar.web.app import create_app

app = create_app()
gc.collect()
gc.freeze()
