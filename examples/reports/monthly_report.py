#!/usr/bin/env python3
"""Monthly report of a libdvc store: CSV tables, PNG charts and an HTML page.

    monthly_report.py --db FILE --month YYYY-MM --out DIR [--dvc PATH]
                      [--backend auto|bindings|cli]

Writes into DIR:
  by_sector.csv, by_channel.csv, by_unit.csv   the month, grouped (dvc_report_compute)
  by_month.csv                                 January to the month, by month
  bottlenecks.csv                              dossiers waiting, by route step
  service_index.csv                            Decision 766/QĐ-TTg indicators of the month
  register.csv                                 the tracking register of the month
  sector_channel.png     dossiers of the month by sector, stacked by channel
  on_time_by_month.png   on-time rate (and online share) by month, January to the month
  backlog_by_unit.png    dossiers of the year still pending at the month's end, by unit
  index.html             the page managers read: a summary table in Vietnamese and the charts

The figures come from the `dvc` Python bindings when they can be imported,
otherwise from the `dvc` command line (`dvc --json report ...`), so the
script works on any machine that has either. "As of" is the end of the month
(or now, for the current month): pending and overdue are judged then.

Pending counts use each dossier's current state: a report for a past month
shows as pending only the dossiers still pending now (see docs/report.md).
"""
import argparse
import csv
import datetime as dt
import html
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
VN = dt.timezone(dt.timedelta(hours=7))


def _ensure_matplotlib():
    """Debian's python3-matplotlib lives in /usr/bin/python3's path: when this
    interpreter (say a pyenv one) lacks it, run again under Debian's."""
    try:
        import matplotlib  # noqa: F401
        return
    except ImportError:
        pass
    system = "/usr/bin/python3"
    if (os.path.exists(system) and os.path.realpath(sys.executable) != os.path.realpath(system)
            and not os.environ.get("DVC_REPORT_REEXEC")):
        os.environ["DVC_REPORT_REEXEC"] = "1"
        os.execv(system, [system] + sys.argv)
    sys.exit("monthly_report.py: matplotlib is missing (Debian package python3-matplotlib)")


_ensure_matplotlib()
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

FIELDS = ["key", "label", "received", "received_online", "received_counter", "received_post",
          "settled_on_time", "settled_late", "pending_on_time", "pending_overdue", "withdrawn",
          "rejected", "cancelled", "returned", "returned_online", "fee_due_count",
          "paid_online_count", "online_rate", "online_payment_rate", "on_time_rate",
          "avg_days_to_settle", "p90_days_to_settle"]
BOTTLENECK_FIELDS = ["procedure", "step", "role", "unit", "unit_name", "waiting",
                     "median_dwell_hours", "max_dwell_hours"]
INDEX_FIELDS = ["code", "name", "numerator", "denominator", "value", "formula"]


# ---- where the figures come from ----

class CliSource:
    """`dvc --json report ...` through subprocess."""

    name = "cli"

    def __init__(self, db, exe):
        self.db, self.exe = db, exe

    def _run(self, *args, raw=False):
        cmd = [self.exe, "--db", self.db] + ([] if raw else ["--json"]) + ["report"] + list(args)
        out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        return out.stdout.decode("utf-8") if raw else json.loads(out.stdout)

    @staticmethod
    def _iso(t):
        return t.isoformat(timespec="seconds")

    def report(self, start, end, group, asof):
        return self._run("--from", self._iso(start), "--to", self._iso(end), "--group", group,
                         "--asof", self._iso(asof))

    def bottlenecks(self, asof):
        return self._run("bottlenecks", "--asof", self._iso(asof))

    def service_index(self, start, end, asof):
        d = self._run("index", "--from", self._iso(start), "--to", self._iso(end),
                      "--asof", self._iso(asof))
        return [{k: r[k] for k in INDEX_FIELDS} for g in d["groups"] for r in g["indicators"]]

    def register_csv(self, start, end):
        return self._run("register", "--from", self._iso(start), "--to", self._iso(end), raw=True)


class BindingsSource:
    """The `dvc` Python module (bindings/python)."""

    name = "bindings"

    def __init__(self, db, module):
        self.store = module.Store(db)

    @staticmethod
    def _rows(rows):
        # a field the bindings do not give stays empty (None), never a made-up 0
        return [{k: (r.get(k) if isinstance(r, dict) else getattr(r, k, None)) for k in FIELDS}
                for r in rows]

    def report(self, start, end, group, asof):
        return self._rows(self.store.report(from_=start, to=end, group=group, asof=asof))

    def bottlenecks(self, asof):
        rows = self.store.bottlenecks(asof=asof)
        return [r if isinstance(r, dict) else {k: getattr(r, k) for k in BOTTLENECK_FIELDS}
                for r in rows]

    def service_index(self, start, end, asof):
        rows = self.store.service_index(from_=start, to=end, asof=asof)
        rows = [r if isinstance(r, dict) else {k: getattr(r, k) for k in INDEX_FIELDS + ["computable"]}
                for r in rows]
        return [{k: r[k] for k in INDEX_FIELDS} for r in rows if r["computable"]]

    def register_csv(self, start, end):
        out = self.store.register_csv(from_=start, to=end)
        return out.decode("utf-8") if isinstance(out, bytes) else out


def import_bindings():
    try:
        import dvc  # noqa: F401
    except ImportError:
        build = os.path.join(ROOT, "build", "bindings", "python")
        if not os.path.isdir(os.path.join(build, "dvc")):
            return None
        sys.path.insert(0, build)
        try:
            import dvc  # noqa: F401,F811
        except ImportError:
            sys.path.pop(0)
            return None
    import dvc as module
    return module if hasattr(module, "Store") else None


def find_cli(given):
    for exe in (given, os.environ.get("DVC"), shutil.which("dvc"),
                os.path.join(ROOT, "build", "examples", "cli", "dvc")):
        if exe and os.access(exe, os.X_OK):
            return exe
    sys.exit("monthly_report.py: no dvc bindings and no dvc command found (give --dvc PATH)")


def open_source(args):
    if args.backend in ("auto", "bindings"):
        module = import_bindings()
        if module is not None:
            return BindingsSource(args.db, module)
        if args.backend == "bindings":
            sys.exit("monthly_report.py: the dvc Python bindings cannot be imported")
    return CliSource(args.db, find_cli(args.dvc))


# ---- output ----

def write_csv(path, fields, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow(r)


CHANNELS = [("received_online", "Trực tuyến", "#2a7ab0"),
            ("received_counter", "Trực tiếp", "#e0a030"),
            ("received_post", "Bưu chính", "#6aa84f")]


def chart_sector_channel(rows, title, path):
    rows = sorted(rows, key=lambda r: r["received"])
    labels = [r["label"] or r["key"] for r in rows]
    fig, ax = plt.subplots(figsize=(9, max(3.2, 0.5 * len(rows) + 1.5)))
    left = [0] * len(rows)
    for field, name, colour in CHANNELS:
        vals = [r[field] for r in rows]
        ax.barh(labels, vals, left=left, color=colour, label=name)
        left = [a + b for a, b in zip(left, vals)]
    for y, total in enumerate(left):
        ax.text(total, y, " %d" % total, va="center", fontsize=8)
    ax.set_xlabel("Số hồ sơ tiếp nhận")
    ax.set_title(title)
    ax.legend(loc="lower right")
    if not rows:
        ax.text(0.5, 0.5, "Không có hồ sơ trong kỳ", ha="center", transform=ax.transAxes)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def chart_on_time(rows, months, title, path):
    """One point per month of `months` (YYYY-MM); a month without dossiers is a gap."""
    by_key = {r["key"]: r for r in rows}
    nan = float("nan")
    on_time = [100 * by_key[m]["on_time_rate"]
               if m in by_key and by_key[m]["settled_on_time"] + by_key[m]["settled_late"] else nan
               for m in months]
    online = [100 * by_key[m]["online_rate"] if m in by_key else nan for m in months]
    fig, ax = plt.subplots(figsize=(9, 4.2))
    xs = list(range(len(months)))
    ax.plot(xs, on_time, marker="o", color="#2a7ab0", label="Tỷ lệ giải quyết đúng hạn")
    ax.plot(xs, online, marker="s", linestyle="--", color="#6aa84f",
            label="Tỷ lệ hồ sơ trực tuyến")
    ax.set_xticks(xs, months)
    ax.set_xlim(-0.5, len(months) - 0.5)
    for x, y in zip(xs, on_time):
        if y == y:
            ax.annotate("%.1f%%" % y, (x, y), textcoords="offset points", xytext=(0, 6),
                        ha="center", fontsize=8)
    ax.set_ylim(0, 105)
    ax.set_ylabel("%")
    ax.set_xlabel("Tháng tiếp nhận")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left")
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def chart_backlog(rows, title, path):
    rows = sorted(rows, key=lambda r: r["pending_on_time"] + r["pending_overdue"])
    labels = [r["label"] or r["key"] for r in rows]
    fig, ax = plt.subplots(figsize=(9, max(3.2, 0.5 * len(rows) + 1.5)))
    ok = [r["pending_on_time"] for r in rows]
    late = [r["pending_overdue"] for r in rows]
    ax.barh(labels, ok, color="#2a7ab0", label="Trong hạn")
    ax.barh(labels, late, left=ok, color="#cc4125", label="Quá hạn")
    top = max([a + b for a, b in zip(ok, late)] + [0])
    ax.set_xlim(0, max(top * 1.12, 1))
    if top:
        for y, (a, b) in enumerate(zip(ok, late)):
            ax.text(a + b, y, " %d" % (a + b), va="center", fontsize=8)
    else:
        ax.text(0.5, 0.5, "Không còn hồ sơ tồn đọng", ha="center", va="center",
                transform=ax.transAxes, fontsize=12)
    ax.set_xlabel("Hồ sơ đang giải quyết")
    ax.set_title(title)
    ax.legend(loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def pct(x):
    return ("%.1f%%" % (100 * x)).replace(".", ",")


def num(n):
    return "—" if n is None else "{:,}".format(int(n)).replace(",", ".")


def write_html(path, month_label, total, sectors, index, source_name, asof):
    e = html.escape
    t = total or {f: 0 for f in FIELDS}
    settled = t["settled_on_time"] + t["settled_late"]
    summary = [
        ("Tổng số hồ sơ tiếp nhận", num(t["received"])),
        ("— trực tuyến", num(t["received_online"])),
        ("— trực tiếp tại Bộ phận Một cửa", num(t["received_counter"])),
        ("— qua dịch vụ bưu chính", num(t["received_post"])),
        ("Đã giải quyết", num(settled)),
        ("— đúng hạn", num(t["settled_on_time"])),
        ("— quá hạn", num(t["settled_late"])),
        ("Đang giải quyết trong hạn", num(t["pending_on_time"])),
        ("Đang giải quyết quá hạn", num(t["pending_overdue"])),
        ("Từ chối / rút / hủy", "%s / %s / %s" % (num(t["rejected"]), num(t["withdrawn"]),
                                                  num(t["cancelled"]))),
        ("Đã trả kết quả", num(t["returned"])),
        ("Tỷ lệ giải quyết đúng hạn", pct(t["on_time_rate"])),
        ("Tỷ lệ hồ sơ trực tuyến", pct(t["online_rate"])),
        ("Thời gian giải quyết trung bình",
         ("%.2f ngày làm việc" % t["avg_days_to_settle"]).replace(".", ",")),
    ]
    rows = "\n".join("<tr><th>%s</th><td>%s</td></tr>" % (e(k), e(v)) for k, v in summary)
    sector_rows = "\n".join(
        "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>"
        % (e(r["label"] or r["key"]), num(r["received"]), num(r["received_online"]),
           num(r["settled_on_time"]), num(r["settled_late"]), pct(r["on_time_rate"]))
        for r in sorted(sectors, key=lambda r: -r["received"]))
    index_rows = "\n".join(
        "<tr><td>%s</td><td>%s</td><td>%s / %s</td></tr>"
        % (e(r["name"]), pct(r["value"]), num(r["numerator"]), num(r["denominator"]))
        for r in index)
    csvs = ["by_sector.csv", "by_channel.csv", "by_unit.csv", "by_month.csv",
            "bottlenecks.csv", "service_index.csv", "register.csv"]
    links = " · ".join('<a href="%s">%s</a>' % (c, c) for c in csvs)
    page = """<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<title>Báo cáo giải quyết thủ tục hành chính tháng {month}</title>
<style>
body {{ font-family: "DejaVu Sans", Arial, sans-serif; margin: 2em auto; max-width: 60em; color: #222; }}
table {{ border-collapse: collapse; margin: 1em 0; }}
th, td {{ border: 1px solid #bbb; padding: .3em .7em; text-align: left; }}
td {{ text-align: right; }} td:first-child {{ text-align: left; }}
img {{ max-width: 100%; display: block; margin: 1em 0; }}
.note {{ color: #666; font-size: .9em; }}
</style>
</head>
<body>
<h1>Báo cáo tình hình giải quyết thủ tục hành chính tháng {month}</h1>
<p class="note">Số liệu tính đến {asof}; hồ sơ thuộc kỳ theo ngày nộp. Không chứa thông tin cá nhân.</p>
<h2>Tổng hợp</h2>
<table>
{rows}
</table>
<h2>Theo lĩnh vực</h2>
<table>
<tr><th>Lĩnh vực</th><th>Tiếp nhận</th><th>Trực tuyến</th><th>Đúng hạn</th><th>Quá hạn</th><th>Tỷ lệ đúng hạn</th></tr>
{sector_rows}
</table>
<img src="sector_channel.png" alt="Hồ sơ tiếp nhận theo lĩnh vực và hình thức nộp">
<h2>Tiến độ giải quyết theo tháng</h2>
<img src="on_time_by_month.png" alt="Tỷ lệ giải quyết đúng hạn theo tháng">
<h2>Hồ sơ tồn theo đơn vị</h2>
<img src="backlog_by_unit.png" alt="Hồ sơ đang giải quyết theo đơn vị">
<h2>Chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg)</h2>
<table>
<tr><th>Nhóm chỉ số</th><th>Giá trị</th><th>Tử số / mẫu số</th></tr>
{index_rows}
</table>
<p class="note">Tệp số liệu: {links}. Nguồn: libdvc ({source}).</p>
</body>
</html>
""".format(month=e(month_label), asof=e(asof.strftime("%H:%M ngày %d/%m/%Y")), rows=rows,
           sector_rows=sector_rows, index_rows=index_rows, links=links, source=e(source_name))
    with open(path, "w", encoding="utf-8") as f:
        f.write(page)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", required=True, help="the libdvc store")
    ap.add_argument("--month", required=True, help="YYYY-MM")
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--dvc", help="the dvc command (when the bindings are not importable)")
    ap.add_argument("--backend", choices=["auto", "bindings", "cli"], default="auto")
    args = ap.parse_args(argv)
    try:
        year, month = (int(x) for x in args.month.split("-"))
        start = dt.datetime(year, month, 1, tzinfo=VN)
    except ValueError:
        ap.error("--month must be YYYY-MM")
    end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=VN)
    year_start = dt.datetime(year, 1, 1, tzinfo=VN)
    asof = min(end, dt.datetime.now(VN).replace(microsecond=0))
    # a PostgreSQL URI names a server, not a file (as dvc_open() tells them)
    if not args.db.startswith(("postgresql://", "postgres://")) and not os.path.exists(args.db):
        sys.exit("monthly_report.py: no store at %s" % args.db)
    os.makedirs(args.out, exist_ok=True)
    src = open_source(args)

    by_sector = src.report(start, end, "sector", asof)
    by_channel = src.report(start, end, "channel", asof)
    by_unit = src.report(start, end, "agency", asof)
    total = src.report(start, end, "none", asof)
    by_month = src.report(year_start, end, "month", asof)
    backlog = src.report(year_start, end, "agency", asof)
    bottlenecks = src.bottlenecks(asof)
    index = src.service_index(start, end, asof)
    register = src.register_csv(start, end)

    out = args.out
    write_csv(os.path.join(out, "by_sector.csv"), FIELDS, by_sector)
    write_csv(os.path.join(out, "by_channel.csv"), FIELDS, by_channel)
    write_csv(os.path.join(out, "by_unit.csv"), FIELDS, by_unit)
    write_csv(os.path.join(out, "by_month.csv"), FIELDS, by_month)
    write_csv(os.path.join(out, "bottlenecks.csv"), BOTTLENECK_FIELDS, bottlenecks)
    write_csv(os.path.join(out, "service_index.csv"), INDEX_FIELDS, index)
    with open(os.path.join(out, "register.csv"), "w", encoding="utf-8", newline="") as f:
        f.write(register)

    label = "%02d/%d" % (month, year)
    chart_sector_channel(by_sector, "Hồ sơ tiếp nhận tháng %s theo lĩnh vực và hình thức nộp"
                         % label, os.path.join(out, "sector_channel.png"))
    months = ["%d-%02d" % (year, m) for m in range(1, month + 1)]
    chart_on_time(by_month, months, "Tỷ lệ giải quyết đúng hạn, tháng 01 đến %s" % label,
                  os.path.join(out, "on_time_by_month.png"))
    chart_backlog(backlog, "Hồ sơ tồn theo đơn vị đến hết tháng %s\n(nộp từ đầu năm, chưa có kết quả)"
                  % label, os.path.join(out, "backlog_by_unit.png"))
    write_html(os.path.join(out, "index.html"), label, total[0] if total else None, by_sector,
               index, src.name, asof)
    t = total[0] if total else {"received": 0, "on_time_rate": 0}
    print("monthly report %s: %d dossiers, on time %.1f%%, %d CSV + 3 PNG + index.html in %s (%s)"
          % (args.month, t["received"], 100 * t["on_time_rate"], 7, out, src.name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
