"""%emkit env create / list / delete against a real bridge, and a kernel in the environment
that trains there by default."""

from __future__ import annotations

import os
import subprocess

from magics import run
from trainings import SRC

IN_THE_ENVIRONMENT = """\
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
shell.run_cell("%load_ext emkit")
result = shell.run_cell("%%emkit train --wait\\nimport sys\\nprint('trained by', sys.prefix)")
print("training ran in:", result.result["environment"], result.result["state"])
"""


def test_create_list_train_in_and_delete_an_environment(shell, bridge_env, unique_name, client, tmp_path):
    name = unique_name("env")
    ran = run(shell, f"%emkit env create {name} -p six")
    assert ran.error is None, ran.text
    environment = ran.value
    assert environment["state"] == "ACTIVE", environment.get("stateReason")
    assert environment["packages"] == ["six"]
    assert any("CREATE IN PROGRESS" in html for html in ran.html()), "no progress was shown while it was made"
    try:
        listed = run(shell, "%emkit env list").value
        assert name in [e["name"] for e in listed]
        assert name in listed._repr_html_()

        # IPython in the environment's own Python, as its kernel runs: `%%emkit train` with no
        # --env goes to this environment, not to the bridge's Python
        python = os.path.join(environment["path"], "bin", "python")
        env = {
            **os.environ,
            "PYTHONPATH": str(SRC),
            "IPYTHONDIR": str(tmp_path / "ipython"),
            "EMKIT_URL": bridge_env.url,
            "EMKIT_TOKEN": bridge_env.token,
        }
        done = subprocess.run([python, "-c", IN_THE_ENVIRONMENT], capture_output=True, text=True, env=env, timeout=120)
        assert f"training ran in: {name} COMPLETE" in done.stdout, done.stdout + done.stderr
    finally:
        for training in client.trainings.list():
            if training["environment"] == name:
                client.trainings.delete(training["id"])
        ran = run(shell, f"%emkit env delete {name}")
    assert ran.error is None, ran.text
    assert ran.stdout.strip() == f"environment {name} is being deleted, with its kernel"
