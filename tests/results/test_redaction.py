"""Credentials never show: every form of database URL SQLAlchemy accepts is redacted in the
banner, in error lines and in the HTML report (issue 10, item 1)."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

from govlab.results.provenance import redact, scrub
from tests.experiments.batch_helpers import cli, write_experiment

SECRET = "Top$ecret"
# (URL, what must still be visible): each a form SQLAlchemy or its drivers accept.
FORMS = [
    (f"postgresql+psycopg://me:{SECRET}@db.example:5432/lab", "me:***@db.example:5432/lab"),
    (f"postgresql+psycopg://me:{SECRET}@x@db.example/lab", "me:***@db.example/lab"),
    (f"postgresql+psycopg://me:{SECRET}/a?b:c@db.example/lab", "me:***@db.example/lab"),
    ("postgresql+psycopg://me:Top%24ecret%40x@db.example/lab", "me:***@db.example/lab"),
    (f"postgresql+psycopg://me@db.example/lab?password={SECRET}", "?password=***"),
    (f"postgresql+psycopg://me@db.example/lab?password={SECRET}@x", "me@db.example/lab?"),
    (f"postgresql+psycopg://me@h/lab?sslmode=require&sslpassword={SECRET}", "sslpassword=***"),
    (f"postgresql+psycopg:///lab?host=/run/pg&user=me&password={SECRET}", "user=me&password=***"),
    (f"postgresql+psycopg://me@h/lab?passfile=/home/{SECRET}/.pgpass", "passfile=***"),
    (f"mssql+pyodbc:///?odbc_connect=DRIVER%3Dx%3BPWD%3D{SECRET}", "odbc_connect=***"),
    (f"snowflake://me:{SECRET}@acct/db?token={SECRET}&private_key={SECRET}", "token=***"),
]


@pytest.mark.parametrize(("url", "visible"), FORMS)
def test_every_credential_form_is_redacted(url, visible):
    shown = redact(url)
    assert SECRET not in shown and "Top%24" not in shown and "ecret" not in shown
    assert visible in shown
    driver_password = make_url(url).password  # what SQLAlchemy would hand the driver
    message = f"connection to {url} failed: password {driver_password!r} for 'me' rejected"
    assert "ecret" not in scrub(message, url) and "'me'" in scrub(message, url)


def test_plain_urls_are_unchanged():
    assert redact("sqlite:////tmp/store.db") == "sqlite:////tmp/store.db"
    assert redact("postgresql://me@h:5432/lab?sslmode=require") == (
        "postgresql://me@h:5432/lab?sslmode=require"
    )


def test_batch_and_report_redact_every_form(tmp_path, monkeypatch, capsys):
    import govlab.results.store as store_module

    real = store_module.make_engine
    monkeypatch.setattr(store_module, "make_engine", lambda _: real(f"sqlite:///{tmp_path}/s.db"))
    path = write_experiment(tmp_path, replications=1, days=8, scenarios=("silo",), cases=0)
    for url, visible in FORMS[:9]:
        code, out, err = cli(
            monkeypatch, capsys, "batch", str(path), "--db", url, "--executor", "serial"
        )
        assert code == 0 and visible in err and "ecret" not in out + err, err
    for url, _ in (FORMS[1], FORMS[5]):  # the report's store row (a figure-drawing report each)
        report = tmp_path / "report"
        code, out, err = cli(
            monkeypatch, capsys, "report", str(path), "--db", url, "--out", str(report)
        )
        html = (report / "index.html").read_text()
        assert code == 0 and "ecret" not in out + err + html and "***" in html


def test_an_unreachable_store_error_line_hides_the_password(monkeypatch, capsys, tmp_path):
    path = write_experiment(tmp_path, replications=1, days=8, scenarios=("silo",))
    for url in (
        f"postgresql+psycopg://me:{SECRET}@x@127.0.0.1:1/lab?connect_timeout=2",
        f"postgresql+psycopg://me:Top@{SECRET}@127.0.0.1:1/lab?connect_timeout=2",
        f"postgresql+psycopg://me@127.0.0.1:1/lab?password={SECRET}&connect_timeout=2",
        f"postgresql+psycopg://me@127.0.0.1:1/lab?sslpassword={SECRET}&connect_timeout=2",
        f"postgresql+psycopg://me:{SECRET}@127.0.0.1:99999999/lab",
        f"notadialect://me:{SECRET}@h/lab",
        f"postgresql+psycopg://me:{SECRET}@h:port/lab",
    ):
        code, out, err = cli(
            monkeypatch, capsys, "batch", str(path), "--db", url, "--executor", "serial"
        )
        assert code == 2 and "ecret" not in out + err and err.count("\n") == 1, err
        code, out, err = cli(monkeypatch, capsys, "compare", "x", "--db", url)
        assert code == 2 and "ecret" not in out + err and err.count("\n") == 1, err
