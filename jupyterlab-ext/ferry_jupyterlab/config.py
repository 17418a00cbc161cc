"""Settings of the server extension, e.g. in jupyter_server_config.py:

    c.FerryProxy.ferry_command = ["/opt/ferry/bin/ferry"]
    c.FerryProxy.start_server = False
"""
from __future__ import annotations

from traitlets import Bool, List, Unicode
from traitlets.config import Configurable


class FerryProxy(Configurable):
    ferry_command = List(
        Unicode(),
        default_value=[],
        help="The `ferry` command line used to start the per-user server when none runs "
        "(default: node <checkout>/server/bin/ferry.js when installed from a checkout, else `ferry`).",
    ).tag(config=True)

    start_server = Bool(
        True, help="Start the per-user Ferry server when none is running (else report that none runs)."
    ).tag(config=True)
