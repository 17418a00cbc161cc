"""Ferry for JupyterLab: the prebuilt labextension and the server extension that
forwards `/ferry/api/...` to the user's Ferry server."""
from __future__ import annotations

import os

from jupyter_server.utils import url_path_join

from .config import FerryProxy
from .discovery import FerryLocator, default_command
from .handlers import FerryProxyHandler

try:
    from ._version import __version__
except ImportError:  # a checkout that was never built
    __version__ = "0.0.0"


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "@ferry/jupyterlab"}]


def _jupyter_server_extension_points():
    return [{"module": "ferry_jupyterlab"}]


def _load_jupyter_server_extension(server_app):
    settings = FerryProxy(parent=server_app)
    locator = FerryLocator(settings.ferry_command or default_command(), os.environ, start=settings.start_server)
    web_app = server_app.web_app
    route = url_path_join(web_app.settings["base_url"], "ferry", "api", "(.*)")
    web_app.add_handlers(".*$", [(route, FerryProxyHandler, {"locator": locator})])
    server_app.log.info("Ferry: /ferry/api forwards to the server named in %s", locator.discovery_file)
