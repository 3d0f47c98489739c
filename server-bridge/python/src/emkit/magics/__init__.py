"""IPython magics: ``%emkit`` and ``%%emkit``, the train → promote → deploy → call loop from
notebook cells. ``%load_ext emkit`` loads them; emkit environments' kernels and the notebook
runner load them at start.
"""

from __future__ import annotations


def load_ipython_extension(ipython) -> None:
    # A plain function, whose commands are imported on first use: every notebook training loads
    # the extension, and the HTTP client alone would add tens of milliseconds to its start.
    def emkit(line: str, cell=None):
        from .core import run_magic

        return run_magic(ipython, line, cell)

    emkit.__doc__ = "emkit from a notebook cell: `%emkit --help` lists the commands."
    ipython.register_magic_function(emkit, magic_kind="line_cell", magic_name="emkit")


def unload_ipython_extension(ipython) -> None:
    # IPython has no call to unregister a magic: take its entries out by name
    for kind in ("line", "cell"):
        ipython.magics_manager.magics[kind].pop("emkit", None)
