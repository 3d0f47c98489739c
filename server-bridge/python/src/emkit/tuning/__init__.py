"""A tuning's study (issue 19): Optuna's ask/tell, run by the bridge as ``python -m emkit.tuning <dir>``."""
