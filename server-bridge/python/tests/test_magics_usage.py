"""%emkit's usage and its errors, in a real IPython shell: help, bad options, no bridge, a
wrong token, unknown ids. Every failure is one line, never a traceback."""

from __future__ import annotations

import json
import re
import socket

import pytest

from magics import run


def test_load_ext_registers_line_and_cell_magics(shell):
    magics = shell.magics_manager.magics
    assert "emkit" in magics["line"] and "emkit" in magics["cell"]


def test_unload_and_load_again(shell):
    assert run(shell, "%unload_ext emkit").error is None
    assert "emkit" not in shell.magics_manager.magics["line"]
    assert run(shell, "%load_ext emkit").error is None
    assert "emkit" in shell.magics_manager.magics["line"] and "emkit" in shell.magics_manager.magics["cell"]


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90", 90),
        ("45s", 45),
        ("30m", 1800),
        ("2h", 7200),
        ("1h30m", 5400),
        ("1d", 86400),
        ("1.5h", 5400),
        ("2H 5M", 7500),
    ],
)
def test_durations(text, seconds):
    from emkit.magics.parsing import duration

    assert duration(text) == seconds


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("predict api X_test[:5]", ["predict", "api", "--", "X_test[:5]"]),
        ("predict --stage canary api df.head(3)", ["predict", "--stage", "canary", "api", "--", "df.head(3)"]),
        ("predict api --stage canary f(a, 'b  c')", ["predict", "--stage", "canary", "api", "--", "f(a, 'b  c')"]),
        ("predict api -x", ["predict", "api", "--", "-x"]),
        ("predict api", ["predict", "api"]),
    ],
)
def test_predict_keeps_its_expression_whole(line, words):
    from emkit.magics.parsing import split

    assert split(line) == words


def test_help_lists_every_command(shell):
    ran = run(shell, "%emkit --help")
    assert ran.error is None and ran.value is None
    for command in (
        "status",
        "env",
        "train",
        "logs",
        "stop",
        "copy",
        "model",
        "promote",
        "evaluate",
        "endpoint",
        "predict",
        "tensorboard",
        "compare",
        "recipe",
    ):
        assert command in ran.stdout
    ran = run(shell, "%emkit train --help")
    assert "--max-time DURATION" in ran.stdout and "[--wait | --no-wait]" in ran.stdout


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("%emkit", "%emkit: the following arguments are required: COMMAND"),
        ("%emkit bogus", "invalid choice: 'bogus'"),
        ("%emkit train --instances x", "argument --instances: 'x' is not a whole number"),
        ("%emkit train --instances 0", "'0' is not 1 or more"),
        ("%emkit train --max-time 2y", "'2y' is not a duration like 90, 45s, 30m, 2h or 1h30m"),
        ("%emkit train --hp epochs", 'argument --hp: "epochs" is not key=value.'),
        ("%emkit train --hp lr=1 --hp lr=2", 'argument --hp: "lr" is given twice.'),
        ("%emkit train --dataset my-data=/x", 'argument --dataset: "my-data" is not a dataset name'),
        ("%emkit train --dataset train=", 'argument --dataset: "train" needs a value after "=".'),
        ("%emkit train --tag 'a b=c'", 'argument --tag: "a b" is not a tag key'),
        ("%emkit train --bogus", "unrecognized arguments: --bogus"),
        ("%emkit promote churn two --alias production", "'two' is not a whole number"),
        ("%emkit promote churn 2", "the following arguments are required: --alias"),
        ("%emkit endpoint create api", "the following arguments are required: --model"),
        ("%emkit logs 'unclosed", "cannot read the line (No closing quotation)"),
        ("%%emkit status\n1", "%%emkit status takes no cell"),
    ],
)
def test_bad_usage_is_one_line(shell, line, says):
    # parsing comes before any call: no bridge is needed to be told
    shown = run(shell, line).one_line_error()
    assert says in shown


def test_no_bridge_is_one_line(shell, tmp_path, monkeypatch):
    monkeypatch.setenv("EMKIT_HOME", str(tmp_path / "empty-home"))
    shown = run(shell, "%emkit status").one_line_error()
    assert shown.startswith("emkit: no emkit bridge is running for ")
    assert "emkit serve" in shown


def test_unreachable_bridge_is_one_line(shell, monkeypatch):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("EMKIT_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("EMKIT_TOKEN", "secret-token-value")
    shown = run(shell, "%emkit env list").one_line_error()
    assert f"the emkit bridge at http://127.0.0.1:{port} is not reachable" in shown
    assert "secret-token-value" not in shown


def test_runtime_json_in_the_home_finds_the_bridge(shell, bridge, tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    (home / "runtime.json").write_text(json.dumps({"url": bridge.url, "token": bridge.token}))
    monkeypatch.setenv("EMKIT_HOME", str(home))
    ran = run(shell, "%emkit status")
    assert ran.error is None, ran.text
    assert ran.value["pid"] == bridge.pid
    assert bridge.token not in ran.value._repr_html_() + ran.text


def test_a_wrong_token_is_one_line_without_the_token(shell, bridge, monkeypatch):
    monkeypatch.setenv("EMKIT_URL", bridge.url)
    monkeypatch.setenv("EMKIT_TOKEN", "not-the-token")
    shown = run(shell, "%emkit list trainings").one_line_error()
    assert shown.startswith("emkit: a valid token is needed")
    assert "not-the-token" not in shown and bridge.token not in shown


@pytest.mark.parametrize(
    "line",
    [
        "%emkit logs no-such-training",
        "%emkit stop no-such-training",
        "%emkit copy no-such-training",
        "%emkit model create --from no-such-training",
        "%emkit promote no-such-model 1 --alias production",
        "%emkit endpoint default no-such-endpoint main",
        "%emkit endpoint delete no-such-endpoint",
        "%emkit predict no-such-endpoint [[1, 2]]",
        "%emkit compare no-such-experiment",
        "%emkit env delete no-such-env",
    ],
)
def test_an_unknown_id_is_one_line_naming_it(shell, bridge_env, line):
    shown = run(shell, line).one_line_error()
    assert re.search(r"\"no-such-[a-z-]+(:1)?\" doesn.t exist", shown), shown


def test_an_unknown_tensorboard_target_is_one_line(shell, bridge_env):
    shown = run(shell, "%emkit tensorboard no-such-thing").one_line_error()
    assert shown == "emkit: there is no training or experiment 'no-such-thing'"


def test_status_shows_the_bridge(shell, bridge_env):
    ran = run(shell, "%emkit status")
    assert ran.error is None, ran.text
    assert ran.value["pid"] == bridge_env.pid and ran.value["version"]
    assert "counts" in ran.value
    # the value is the bridge's answer; its display is a record naming the bridge
    html = ran.value._repr_html_()
    assert "emkit bridge" in html and bridge_env.url in html
    assert bridge_env.token not in html


def test_a_bridge_refusal_is_one_line(shell, bridge_env):
    shown = run(shell, "%emkit env create Not_Valid --no-wait").one_line_error()
    assert shown.startswith("emkit: ") and "name" in shown


def test_predict_needs_an_expression_it_can_evaluate(shell, bridge_env):
    assert "give the instances as a Python expression" in run(shell, "%emkit predict some-endpoint").one_line_error()
    shown = run(shell, "%emkit predict some-endpoint undefined_name[:3]").one_line_error()
    assert shown == "emkit: cannot evaluate 'undefined_name[:3]': NameError: name 'undefined_name' is not defined"
    shell.user_ns["one_number"] = 3
    shown = run(shell, "%emkit predict some-endpoint one_number").one_line_error()
    assert "must be a list, a NumPy array or a DataFrame, not int" in shown
