"""Serving a model: ``python -m emkit.serving --model-dir DIR --framework FW`` is the worker
the bridge's gateway forwards inference calls to.

The worker (``worker``) loads the model (``loaders``), then answers JSON over a small
asyncio HTTP/1.1 server (``http11``) with the routes in ``routes``. Nothing here is
imported eagerly, and no framework is imported but the one the model needs.
"""
