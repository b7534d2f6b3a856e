"""The working-time calendar: Tết 2026, deadlines across it, lunar dates,
office-hour arithmetic, options and schedules."""
import datetime as dt
import json

import pytest

import dvc

VN = dvc.VN_TZ


@pytest.fixture(scope="module")
def cal():
    return dvc.Calendar()


def test_tet_2026_is_a_nine_day_break(cal):
    tet = [d for d in cal.special_days(2026) if d["name"] == "Tết Nguyên đán"]
    assert [d["date"] for d in tet] == [dt.date(2026, 2, d) for d in range(14, 23)]
    assert all(d["kind"] == "holiday" and not d["working"] for d in tet)
    assert cal.day("2026-02-17") == {"date": dt.date(2026, 2, 17), "kind": "holiday",
                                     "working": False, "name": "Tết Nguyên đán"}
    assert not cal.is_working_day(dt.date(2026, 2, 16))
    assert cal.is_working_day(dt.date(2026, 2, 23))
    assert cal.day(dt.date(2026, 1, 10))["kind"] == "swapped_working"
    assert cal.is_working_day(dt.date(2026, 1, 10))  # a Saturday made working
    assert cal.day(dt.date(2026, 3, 7))["kind"] == "weekend"
    assert cal.day(dt.date(2026, 3, 9)) == {"date": dt.date(2026, 3, 9), "kind": "working",
                                           "working": True, "name": None}
    assert "Bộ Nội vụ" in cal.schedule_source(2026)


def test_add_days_skips_the_tet_break(cal):
    received = dt.datetime(2026, 2, 12, 10, 15, tzinfo=VN)  # Thursday before Tết
    due = cal.add_days(received, 3)
    # Thu 12, Fri 13 count; Tết 14-22; Mon 23 is the third day
    assert due == dt.datetime(2026, 2, 24, 10, 15, tzinfo=VN)
    assert due.tzinfo == dt.timezone.utc
    assert cal.between(received, due) == dt.timedelta(seconds=3 * cal.day_seconds)
    assert cal.add_days(due, -3) == received
    assert cal.add_days("2026-02-12T10:15:00+07:00", 3) == due  # ISO strings work too


def test_office_hours_arithmetic(cal):
    eleven = dt.datetime(2026, 3, 2, 11, 0, tzinfo=VN)
    assert cal.add_hours(eleven, 1) == dt.datetime(2026, 3, 2, 14, 0, tzinfo=VN)
    assert cal.add_minutes(eleven, 30) == dt.datetime(2026, 3, 2, 11, 30, tzinfo=VN)
    assert cal.add_seconds(eleven, 0) == eleven
    late = dt.datetime(2026, 3, 2, 16, 30, tzinfo=VN)
    assert cal.add_hours(late, 1) == dt.datetime(2026, 3, 3, 8, 0, tzinfo=VN)
    saturday = dt.datetime(2026, 3, 7, 9, 0, tzinfo=VN)
    assert cal.next_working(saturday) == dt.datetime(2026, 3, 9, 7, 30, tzinfo=VN)
    assert cal.day_seconds == 27000


def test_naive_datetimes_are_refused(cal):
    with pytest.raises(ValueError, match="naive"):
        cal.add_days(dt.datetime(2026, 2, 12, 10, 15), 3)
    with pytest.raises(TypeError):
        cal.add_days(1770866100, 3)


def test_lunar_conversions(cal):
    new_year = dvc.lunar_from_solar(dt.date(2026, 2, 17))
    assert new_year == (2026, 1, 1, False)
    assert (new_year.year, new_year.month, new_year.day, new_year.leap) == (2026, 1, 1, False)
    assert cal.lunar_from_solar("2026-02-17") == new_year
    assert dvc.lunar_to_solar(new_year) == dt.date(2026, 2, 17)
    assert cal.lunar_to_solar((2026, 1, 1)) == dt.date(2026, 2, 17)
    assert dvc.lunar_year_name(2026) == "Bính Ngọ"
    # 2025 has a leap 6th month; 2026 has none
    assert dvc.lunar_to_solar((2025, 6, 1, True)) == dt.date(2025, 7, 25)
    with pytest.raises(dvc.InvalidDate) as e:
        dvc.lunar_to_solar((2026, 6, 1, True))
    assert e.value.code == -20 and isinstance(e.value, ValueError)
    with pytest.raises(dvc.OutOfRange):
        dvc.lunar_from_solar(dt.date(1800, 1, 1))


def test_options_and_schedules():
    six_days = dvc.Calendar(rest_days=[6], am_start="08:00", pm_end=dt.time(17, 30))
    assert six_days.is_working_day(dt.date(2026, 3, 7))  # Saturday
    assert six_days.day_seconds == (11 * 60 + 30 - 8 * 60) * 60 + (17 * 60 + 30 - 13 * 60 - 30) * 60
    with pytest.raises(dvc.InvalidArgument):
        dvc.Calendar(am_start="12:00", am_end="11:00")
    with pytest.raises(ValueError):
        dvc.Calendar(rest_days=[7])

    cal = dvc.Calendar(builtin_schedules=False)
    assert cal.schedule_source(2026) is None
    sched = {"format": "dvc-calendar-schedule", "format_version": 1, "year": 2030,
             "source": "test", "days_off": [{"date": "2030-03-04", "name": "Nghỉ thử"}],
             "working_days": []}
    cal.load_schedule(json.dumps(sched))
    assert cal.schedule_source(2030) == "test"
    assert cal.day("2030-03-04")["name"] == "Nghỉ thử"
    sched["days_off"][0]["date"] = "2030-13-01"
    with pytest.raises(dvc.Schema) as e:
        cal.load_schedule(json.dumps(sched))
    assert e.value.path == "days_off[0].date"
    cal.clear_schedule(2030)
    assert cal.schedule_source(2030) is None


def test_a_store_uses_its_calendar_and_freezes_it(dossier_store):
    from conftest import CITIZEN, FORM3
    cal = dvc.Calendar(round_to_end_of_day=True)
    dossier_store.set_calendar(cal)
    with pytest.raises(RuntimeError, match="in use"):
        cal.clear_schedule(2026)
    code, _ = dossier_store.submit("T.000003", applicant=CITIZEN, form=FORM3)
    dossier_store.act(code, "receive", officer="le.tiep.nhan")
    due = dossier_store.track(code, officer="quan.tri")["due_at"]
    assert due == dt.datetime(2026, 3, 5, 17, 0, tzinfo=VN)  # rounded to closing time
    dossier_store.set_calendar(None)
    cal.clear_schedule(2026)  # detached: mutable again


def test_time_helpers():
    t = dvc.parse_time("2026-03-02T10:15:00+07:00")
    assert t == dt.datetime(2026, 3, 2, 3, 15, tzinfo=dt.timezone.utc)
    assert dvc.format_time(t) == "2026-03-02T10:15:00+07:00"
    assert dvc.format_time(dt.date(2026, 3, 2)) == "2026-03-02T00:00:00+07:00"
    with pytest.raises(dvc.InvalidDate):
        dvc.parse_time("2026-03-02T10:15:00")  # no offset
