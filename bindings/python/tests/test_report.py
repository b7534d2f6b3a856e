"""Reports agree with hand-written SQL over the same file store, and come
back as lists of dicts or, with pandas, DataFrames."""
import csv
import datetime as dt
import io
import sqlite3

import pytest

import dvc
from conftest import CITIZEN, FORM3, MONDAY_9AM, setup_dossier_store

SECRET = "bi-mat"
MARCH = dt.date(2026, 3, 1)
APRIL = dt.date(2026, 4, 1)


def build(db):
    """A month of dossiers in every situation the report counts."""
    setup_dossier_store(db)
    db.set_gateway("vnpay", SECRET)
    officer = dict(officer="le.tiep.nhan")

    def route3(code):
        db.act(code, "forward", **officer)
        db.act(code, "forward", officer="tran.chuyen.vien")
        db.act(code, "forward", officer="nguyen.truong.phong")
        db.act(code, "forward", officer="hoang.lanh.dao")

    # returned on time, at the counter
    a, _ = db.submit("T.000003", applicant=CITIZEN, form=FORM3)
    db.act(a, "receive", **officer)
    route3(a)
    db.act(a, "return", **officer)
    # level 4: paid online, returned online
    b, _ = db.submit("T.000004", applicant=CITIZEN)
    db.act(b, "receive", **officer)
    req = db.payment_request(b)
    q = f"vnp_Amount={req['amount'] * 100}&vnp_ResponseCode=00&vnp_TxnRef={req['reference']}"
    assert db.payment_callback(dvc.payment_sign(q, SECRET))["outcome"] == "paid"
    db.act(b, "forward", **officer)
    db.act(b, "forward", officer="tnmt.chuyen.vien")
    db.act(b, "forward", officer="hoang.lanh.dao")
    db.act(b, "return", delivery="online", **officer)
    # withdrawn, rejected, a draft (never counted)
    c, secret_c = db.submit("T.000003", applicant=CITIZEN, form=FORM3)
    db.act(c, "withdraw", secret=secret_c)
    d, _ = db.submit("T.000003", applicant=CITIZEN, form=FORM3, channel="counter", **officer)
    db.act(d, "reject", note="Không thuộc thẩm quyền", **officer)
    db.submit("T.000003", applicant=CITIZEN, form=FORM3, draft=True)
    # pending: one that will be overdue, one level-4 unpaid at the specialist
    e, _ = db.submit("T.000003", applicant=CITIZEN, form=FORM3, channel="post", **officer)
    db.act(e, "receive", **officer)
    db.act(e, "forward", **officer)
    f, _ = db.submit("T.000004", applicant=CITIZEN, channel="counter", **officer)
    db.act(f, "receive", **officer)
    db.act(f, "forward", **officer)
    # a late result: received, then settled after its 8 working hours
    g, _ = db.submit("T.000004", applicant=CITIZEN)
    db.act(g, "receive", **officer)
    db.act(g, "forward", **officer)
    db.advance(dt.timedelta(days=3))
    db.act(g, "forward", officer="tnmt.chuyen.vien")
    db.act(g, "forward", officer="hoang.lanh.dao")
    return dict(a=a, b=b, c=c, d=d, e=e, f=f, g=g)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "portal.db"
    db = dvc.Store(path)
    codes = build(db)
    asof = MONDAY_9AM + dt.timedelta(days=10)
    sql = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    yield db, sql, codes, asof
    sql.close()
    db.close()


def q(sql, text, *args):
    return sql.execute(text, args).fetchall()


def test_totals_agree_with_sql(world):
    db, sql, codes, asof = world
    [row] = db.report(MARCH, APRIL, group="none", asof=asof)
    assert row["key"] == ""
    lo, hi = int(dt.datetime(2026, 3, 1, tzinfo=dvc.VN_TZ).timestamp()), \
        int(dt.datetime(2026, 4, 1, tzinfo=dvc.VN_TZ).timestamp())
    where = "submitted_at >= ? AND submitted_at < ? AND state <> 0"
    [(received,)] = q(sql, f"SELECT count(*) FROM dossier WHERE {where}", lo, hi)
    assert row["received"] == received == 7
    by_state = dict(q(sql, f"SELECT state, count(*) FROM dossier WHERE {where} GROUP BY state", lo, hi))
    assert row["withdrawn"] == by_state.get(9, 0) == 1
    assert row["rejected"] == by_state.get(8, 0) == 1
    assert row["cancelled"] == by_state.get(10, 0) == 0
    assert row["returned"] == by_state.get(7, 0) == 2
    assert row["returned_online"] == 1
    [(on_time, late)] = q(sql, "SELECT sum(result_at <= due_at), sum(result_at > due_at) FROM dossier"
                               f" WHERE result_at IS NOT NULL AND {where}", lo, hi)
    assert (row["settled_on_time"], row["settled_late"]) == (on_time, late) == (2, 1)
    assert row["on_time_rate"] == pytest.approx(2 / 3)
    t = int(asof.timestamp())
    [(p_on, p_over)] = q(sql, "SELECT sum(? <= due_at), sum(? > due_at) FROM dossier"
                              f" WHERE result_at IS NULL AND state NOT IN (7, 8, 9, 10)"
                              f" AND received_at IS NOT NULL AND {where}", t, t, lo, hi)
    assert (row["pending_on_time"], row["pending_overdue"]) == (p_on, p_over) == (0, 2)
    [(fee_due, paid)] = q(sql, "SELECT sum(fee_due > 0), sum(fee_due > 0 AND fee_paid >= fee_due)"
                               f" FROM dossier WHERE {where}", lo, hi)
    assert (row["fee_due_count"], row["paid_online_count"]) == (fee_due, paid) == (3, 1)
    assert row["avg_days_to_settle"] > 0 and row["p90_days_to_settle"] >= row["avg_days_to_settle"]


def test_grouping_by_channel_and_sector_agrees_with_sql(world):
    db, sql, _, asof = world
    rows = {r["key"]: r for r in db.report(group="channel", asof=asof)}
    names = {0: "online", 1: "counter", 2: "post"}
    want = {names[c]: n for c, n in q(sql, "SELECT channel, count(*) FROM dossier WHERE state <> 0"
                                           " GROUP BY channel")}
    assert {k: r["received"] for k, r in rows.items()} == want == {"online": 4, "counter": 2, "post": 1}
    assert rows["online"]["received_online"] == 4 and rows["online"]["online_rate"] == 1.0
    sectors = {r["key"]: r["received"] for r in db.report(asof=asof)}  # group="sector" by default
    want = dict(q(sql, "SELECT pv.sector, count(*) FROM dossier d JOIN procedure_version pv"
                       " ON pv.id = d.version_id WHERE d.state <> 0 GROUP BY pv.sector"))
    assert sectors == want == {"TP": 4, "TNMT": 3}
    months = db.report(group="month", asof=asof)
    assert [r["key"] for r in months] == ["2026-03"]
    with pytest.raises(dvc.InvalidArgument):
        db.report(group="weekday")
    with pytest.raises(dvc.InvalidArgument):
        db.report(APRIL, MARCH)  # ends before it starts


def test_bottlenecks_agree_with_sql(world):
    db, sql, _, asof = world
    rows = db.bottlenecks(asof)
    want = q(sql, "SELECT unit, step, count(*) FROM dossier WHERE state IN (2, 3, 4, 5)"
                  " GROUP BY version_id, step, unit")
    assert sorted((r["unit"], r["step"], r["waiting"]) for r in rows) == sorted(want)
    assert all(r["max_dwell_hours"] >= r["median_dwell_hours"] >= 0 for r in rows)
    assert {r["role"] for r in rows} == {"specialist"}


def test_service_index_and_register_csv(world):
    db, sql, codes, asof = world
    idx = {r["code"]: r for r in db.service_index(MARCH, APRIL, asof=asof)}
    assert "online" in idx and "online_payment" in idx
    assert all(0.0 <= r["value"] <= 1.0 for r in idx.values())
    assert idx["online"]["denominator"] == 7 and idx["online"]["numerator"] == 4
    text = db.register_csv(MARCH, APRIL)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 7  # no drafts
    assert {"code", "procedure", "channel", "state", "on_time"} <= set(rows[0])
    assert {r["code"] for r in rows} == set(codes.values())
    assert "Nguyễn" not in text and "031099001234" not in text  # no personal data


def test_dataframes_when_pandas_is_installed(world):
    pandas = pytest.importorskip("pandas")
    db, _, _, asof = world
    df = db.report(group="channel", asof=asof, dataframe=True)
    assert isinstance(df, pandas.DataFrame)
    assert df.loc["online", "received"] == 4 and df["received"].sum() == 7
    assert list(db.bottlenecks(asof, dataframe=True).columns)[:2] == ["procedure", "step"]
    assert db.service_index(asof=asof, dataframe=True).loc["online", "numerator"] == 4


def test_dataframe_without_pandas_is_a_clear_import_error(world, monkeypatch):
    import builtins
    real = builtins.__import__

    def no_pandas(name, *a, **k):
        if name == "pandas":
            raise ImportError("no pandas here")
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_pandas)
    db = world[0]
    with pytest.raises(ImportError, match="python3-pandas"):
        db.report(dataframe=True)
    assert isinstance(db.report(), list)


def test_period_bounds_parse_like_the_cli(world):
    """A plain "YYYY-MM-DD" is 00:00 that day in Vietnam, as `dvc report --from`
    reads it (dvc_time_parse_day); anything else is refused."""
    db, _, _, asof = world
    want = db.report(MARCH, APRIL, group="channel", asof=asof)
    assert db.report("2026-03-01", "2026-04-01", group="channel", asof=asof) == want
    assert db.report("2026-02-28T17:00:00Z", "2026-04-01", group="channel", asof=asof) == want
    assert db.service_index("2026-03-01", "2026-04-01", asof=asof) == db.service_index(MARCH, APRIL, asof=asof)
    for bad in ("2026-02-30", "1/3/2026", "2026-03-01T00:00:00"):
        with pytest.raises(dvc.InvalidDate):
            db.report(bad, group="channel")
