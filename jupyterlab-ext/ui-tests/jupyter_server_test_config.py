"""The Jupyter server the Galata tests drive: Galata's test settings on a free port."""
import os

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821 (c is the config object Jupyter passes in)
c.ServerApp.port = int(os.environ["FERRY_JLAB_PORT"])  # noqa: F821
c.ServerApp.ip = "127.0.0.1"  # noqa: F821
# CI runs as root in a throwaway machine.
c.ServerApp.allow_root = os.getuid() == 0  # noqa: F821
