"""GET /emkit/connection: where the bridge is, and whether this server can reach it.

The page asks here when its own settings name no bridge. Reachability seen from the
server lets the page tell "no bridge running" from "running, but this page's origin is
refused" (a browser sees both as the same network error). Behind Jupyter's own login;
the token is sent to the page and never logged.
"""

from __future__ import annotations

import json
import os

import tornado
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado.httpclient import AsyncHTTPClient, HTTPClientError

from .bridge import find_bridge


async def reachable(url: str) -> bool:
    try:
        response = await AsyncHTTPClient().fetch(f"{url}/api/v1/health", request_timeout=2.0, raise_error=False)
    except (OSError, HTTPClientError):
        return False
    return response.code == 200


class ConnectionHandler(APIHandler):
    @tornado.web.authenticated
    async def get(self):
        bridge = find_bridge()
        self.set_header("Cache-Control", "no-store")
        self.finish(
            json.dumps(
                {
                    "url": bridge.url,
                    "token": bridge.token,
                    "source": bridge.source,
                    "home": bridge.home,
                    "reachable": bool(bridge.url) and await reachable(bridge.url),
                    # a notebook's path in the page is relative to this; the bridge wants it absolute
                    "rootDir": os.path.abspath(os.path.expanduser(self.contents_manager.root_dir)),
                }
            )
        )


def setup_handlers(web_app):
    base_url = web_app.settings["base_url"]
    web_app.add_handlers(".*$", [(url_path_join(base_url, "emkit", "connection"), ConnectionHandler)])
