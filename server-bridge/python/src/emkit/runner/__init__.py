"""Running a training: ``python -m emkit.runner spec.json`` is the supervisor the bridge starts.

The supervisor (``supervisor``) reads the bridge's spec (``spec``), installs the entry point's
requirements.txt, starts the ranks (``launch``) and records the outcome in status.json
(``status``); ``python -m emkit.runner.notebook`` runs a notebook rank. Nothing here is
imported eagerly: this package is on the path from "submit" to the user's first line.
"""
