"""Evaluations (issue 14): judge a model version on a held-out dataset.

``python -m emkit.evaluation spec.json`` reads the data batch by batch (``datasets``), calls
the model through the serving loaders (``predictor``), computes every figure with
scikit-learn's metrics (``metrics``, ``curves``, ``mistakes``) and writes ``result.json``,
``curves.json`` and ``status.json`` as the bridge's contract says (``run``).
``python -m emkit.evaluation --check spec.json`` is the quick look the bridge takes at
create time (``check``).
"""
