"""emkit's JupyterLab extension: the prebuilt front end, and a server handler that tells
the page where the emkit bridge is (the way the CLI and the Python client find it)."""

__version__ = "0.1.0"


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "@emkit/jupyterlab"}]


def _jupyter_server_extension_points():
    return [{"module": "emkit_jupyterlab"}]


def _load_jupyter_server_extension(server_app):
    from .handlers import setup_handlers

    setup_handlers(server_app.web_app)
