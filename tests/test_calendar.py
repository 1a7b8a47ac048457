"""Tests of zcsim.calendar against independently known days of the official schedule."""

from __future__ import annotations

import datetime
from pathlib import Path

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zcsim.calendar import WorkingCalendar, default_calendar
from zcsim.errors import CalendarError

D = datetime.date
REPO = Path(__file__).resolve().parents[1]
EXAMPLE_2027 = REPO / "examples" / "calendar-2027.csv"


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return default_calendar()


def write(tmp_path: Path, text: str, name: str = "cal.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- known days (official State Council schedules) -------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2025, 10, 11), True),  # Saturday, adjusted working day (调休)
        (D(2024, 2, 4), True),  # Sunday, adjusted working day before Spring Festival 2024
        (D(2026, 1, 1), False),  # New Year's Day
        (D(2025, 6, 9), True),  # an ordinary Monday
        (D(2025, 6, 7), False),  # an ordinary Saturday
        (D(2025, 6, 8), False),  # an ordinary Sunday
    ],
)
def test_known_days(cal: WorkingCalendar, day: D, working: bool) -> None:
    assert cal.is_working_day(day) is working


def test_national_day_2025_is_off(cal: WorkingCalendar) -> None:
    for i in range(1, 9):
        assert cal.is_working_day(D(2025, 10, i)) is False, f"2025-10-0{i}"
    assert cal.is_working_day(D(2025, 9, 30)) is True
    assert cal.is_working_day(D(2025, 10, 9)) is True


def test_agrees_with_package_for_whole_years(cal: WorkingCalendar) -> None:
    for year in (2004, 2020, 2024, 2026):
        day = D(year, 1, 1)
        while day.year == year:
            assert cal.is_working_day(day) == chinese_calendar.is_workday(day), day
            day += datetime.timedelta(days=1)


def test_datetime_accepted(cal: WorkingCalendar) -> None:
    assert cal.is_working_day(datetime.datetime(2025, 10, 11, 9, 30)) is True


def test_covers(cal: WorkingCalendar) -> None:
    assert cal.covers(2004) and cal.covers(2026)
    assert not cal.covers(2003) and not cal.covers(2027)


# -- counting ----------------------------------------------------------------------------------


def test_add_working_days_across_national_day_2025(cal: WorkingCalendar) -> None:
    # 09-29 Mon (1), 09-30 Tue (2), 10-01..10-08 off, 10-09 Thu (3), 10-10 Fri (4), 10-11 Sat (5)
    assert cal.add_working_days(D(2025, 9, 29), 5) == D(2025, 10, 11)
    assert cal.add_working_days(D(2025, 9, 29), 1) == D(2025, 9, 29)
    assert cal.add_working_days(D(2025, 9, 29), 2) == D(2025, 9, 30)
    assert cal.add_working_days(D(2025, 9, 29), 3) == D(2025, 10, 9)


def test_add_working_days_start_on_holiday(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(D(2025, 10, 1), 1) == D(2025, 10, 9)
    assert cal.add_working_days(D(2025, 10, 1), 3) == D(2025, 10, 11)


def test_add_working_days_crosses_year_boundary(cal: WorkingCalendar) -> None:
    # 2025-12-29 Mon .. 12-31 Wed (3), 2026-01-01..03 off, 2026-01-04 Sun adjusted working (4)
    assert cal.is_working_day(D(2026, 1, 4)) is True
    assert cal.add_working_days(D(2025, 12, 29), 4) == D(2026, 1, 4)
    assert cal.add_working_days(D(2025, 12, 29), 5) == D(2026, 1, 5)


def test_add_working_days_rejects_n_below_one(cal: WorkingCalendar) -> None:
    for n in (0, -3):
        with pytest.raises(ValueError) as info:
            cal.add_working_days(D(2025, 9, 29), n)
        assert not isinstance(info.value, CalendarError)


def test_next_working_day(cal: WorkingCalendar) -> None:
    assert cal.next_working_day(D(2025, 10, 1)) == D(2025, 10, 9)
    assert cal.next_working_day(D(2025, 10, 11)) == D(2025, 10, 11)
    assert cal.next_working_day(D(2025, 10, 12)) == D(2025, 10, 13)


def test_working_days_between(cal: WorkingCalendar) -> None:
    assert cal.working_days_between(D(2025, 9, 29), D(2025, 10, 11)) == 5
    assert cal.working_days_between(D(2025, 10, 1), D(2025, 10, 8)) == 0
    assert cal.working_days_between(D(2025, 10, 11), D(2025, 10, 11)) == 1
    assert cal.working_days_between(D(2025, 10, 12), D(2025, 10, 1)) == 0
    # multi-year sums equal per-day counts
    start, end = D(2023, 11, 15), D(2025, 2, 3)
    by_day = sum(
        chinese_calendar.is_workday(start + datetime.timedelta(days=i))
        for i in range((end - start).days + 1)
    )
    assert cal.working_days_between(start, end) == by_day


def test_period_satisfied_edges(cal: WorkingCalendar) -> None:
    # exactly 5 working days
    assert cal.period_satisfied(D(2025, 9, 29), D(2025, 10, 11), 5) is True
    # 4 working days, although 12 calendar days
    assert cal.period_satisfied(D(2025, 9, 29), D(2025, 10, 10), 5) is False
    # ordinary week: Mon..Fri is exactly 5, Mon..Thu is 4
    assert cal.period_satisfied(D(2025, 6, 9), D(2025, 6, 13), 5) is True
    assert cal.period_satisfied(D(2025, 6, 9), D(2025, 6, 12), 5) is False
    with pytest.raises(ValueError):
        cal.period_satisfied(D(2025, 6, 9), D(2025, 6, 13), -1)


# -- uncovered years ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.is_working_day(D(2027, 3, 1)),
        lambda c: c.working_days_between(D(2026, 12, 1), D(2027, 1, 10)),
        lambda c: c.add_working_days(D(2026, 12, 20), 30),
        lambda c: c.next_working_day(D(2003, 5, 5)),
        lambda c: c.period_satisfied(D(2027, 1, 4), D(2027, 1, 8), 5),
    ],
)
def test_uncovered_year_raises(cal: WorkingCalendar, call) -> None:
    with pytest.raises(CalendarError) as info:
        call(cal)
    message = str(info.value)
    assert "--calendar" in message
    assert "2027" in message or "2003" in message
    assert f"{chinese_calendar.__version__}" in message
    assert "2004–2026" in message


def test_add_working_days_within_covered_range_near_edge(cal: WorkingCalendar) -> None:
    # still answerable inside 2026 (no 2027 data needed)
    assert cal.add_working_days(D(2026, 12, 28), 4) == D(2026, 12, 31)


def test_override_in_uncovered_year_is_single_day_only() -> None:
    c = WorkingCalendar({D(2027, 1, 1): False})
    assert c.is_working_day(D(2027, 1, 1)) is False
    assert not c.covers(2027)
    with pytest.raises(CalendarError, match="2027"):
        c.is_working_day(D(2027, 1, 4))
    with pytest.raises(CalendarError, match="2027"):
        c.working_days_between(D(2027, 1, 1), D(2027, 1, 4))


def test_override_corrects_covered_day() -> None:
    c = WorkingCalendar({D(2025, 10, 13): False, D(2025, 10, 12): True})
    assert c.is_working_day(D(2025, 10, 13)) is False
    assert c.is_working_day(D(2025, 10, 12)) is True
    assert c.working_days_between(D(2025, 10, 11), D(2025, 10, 14)) == 3
    # the default calendar is not affected
    assert default_calendar().is_working_day(D(2025, 10, 13)) is True


# -- calendar files ----------------------------------------------------------------------------


def test_example_file_covers_2027() -> None:
    c = WorkingCalendar.from_file(EXAMPLE_2027)
    assert c.covers(2027)
    assert c.is_working_day(D(2027, 1, 1)) is False  # listed holiday
    assert c.is_working_day(D(2027, 1, 4)) is True  # unlisted Monday
    assert c.is_working_day(D(2027, 1, 9)) is False  # unlisted Saturday
    assert c.is_working_day(D(2027, 2, 20)) is True  # listed adjusted Saturday
    # counting runs from package data (2026) into file data (2027)
    # 2026-12-30 Wed (1), 12-31 Thu (2), 2027-01-01 off, 01-04 Mon (3)
    assert c.add_working_days(D(2026, 12, 30), 3) == D(2027, 1, 4)
    assert c.is_working_day(D(2025, 10, 11)) is True  # package years still answered
    with pytest.raises(CalendarError, match="2028"):
        c.is_working_day(D(2028, 1, 3))


def test_file_formats_and_comments(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "\ufeff# a comment\n\n#covers: 2027, 2028\n# COVERS:2030\n"
        "Date , Working\n2027-01-01,FALSE\n2027-01-02 , Yes\n2028-01-03,0\n2030-01-05,1\n"
        "\n# trailing comment\n2025-10-13,no\n",
    )
    c = WorkingCalendar.from_file(str(path))
    assert all(c.covers(y) for y in (2027, 2028, 2030)) and not c.covers(2029)
    assert c.is_working_day(D(2027, 1, 1)) is False
    assert c.is_working_day(D(2027, 1, 2)) is True  # a Saturday made working
    assert c.is_working_day(D(2028, 1, 3)) is False
    assert c.is_working_day(D(2030, 1, 5)) is True
    # 2025 not declared covered: single-day override on top of the package
    assert c.is_working_day(D(2025, 10, 13)) is False
    assert c.is_working_day(D(2025, 10, 11)) is True


def test_declared_year_without_listed_days_is_weekdays(tmp_path: Path) -> None:
    c = WorkingCalendar.from_file(write(tmp_path, "# covers: 2031\ndate,working\n"))
    assert c.working_days_between(D(2031, 1, 1), D(2031, 12, 31)) == 261


def test_listed_days_without_covers_line_do_not_cover_year(tmp_path: Path) -> None:
    c = WorkingCalendar.from_file(write(tmp_path, "date,working\n2027-01-01,false\n"))
    assert not c.covers(2027)
    with pytest.raises(CalendarError) as info:
        c.is_working_day(D(2027, 1, 4))
    assert "covers: 2027" in str(info.value) and "--calendar" in str(info.value)


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("# covers: 2027\ndate,working\n2027-13-01,false\n", 3, "expected an ISO date YYYY-MM-DD, got '2027-13-01'"),
        ("date,working\n2027-01-01,false\n\n2027/01/02,true\n", 4, "expected an ISO date YYYY-MM-DD"),
        ("date,working\n20270101,true\n", 2, "expected an ISO date YYYY-MM-DD"),
        ("date,working\n2027-01-01,maybe\n", 2, "true/false"),
        ("date,working\n2027-01-01\n", 2, "2 comma-separated fields"),
        ("date,working\n2027-01-01,true,x\n", 2, "2 comma-separated fields"),
        ("day,open\n2027-01-01,true\n", 1, "header 'date,working'"),
        ("# covers: 2027\n2027-01-01,true\n", 2, "header 'date,working'"),
        ("# covers: 27\ndate,working\n", 1, "# covers: YEAR"),
        ("# covers: 2027, next\ndate,working\n", 1, "# covers: YEAR"),
        ("date,working\n2027-01-01,true\n2027-01-01,false\n", 3, "listed twice (first on line 2)"),
        ("", 1, "no header"),
    ],
)
def test_bad_file_names_line(tmp_path: Path, text: str, line: int, fragment: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(CalendarError) as info:
        WorkingCalendar.from_file(path)
    err = info.value
    assert err.location == f"line {line}"
    assert err.source == str(path)
    assert fragment in err.message
    assert f"line {line}" in str(err)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.csv"
    with pytest.raises(CalendarError) as info:
        WorkingCalendar.from_file(path)
    assert info.value.source == str(path)
    assert "not found" in str(info.value)


def test_calendar_error_is_value_error() -> None:
    with pytest.raises(ValueError):
        default_calendar().is_working_day(D(2099, 1, 1))


def test_default_calendar_is_singleton() -> None:
    assert default_calendar() is default_calendar()


def test_bad_override_types() -> None:
    with pytest.raises(TypeError):
        WorkingCalendar({"2025-10-01": False})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        WorkingCalendar({D(2025, 10, 1): "no"})  # type: ignore[dict-item]


# -- properties --------------------------------------------------------------------------------

starts = st.dates(min_value=D(2004, 1, 1), max_value=D(2025, 12, 31))


@settings(max_examples=200, deadline=None)
@given(start=starts, n=st.integers(min_value=1, max_value=200))
def test_add_then_count_roundtrip(start: D, n: int) -> None:
    cal = default_calendar()
    end = cal.add_working_days(start, n)
    assert end >= start
    assert cal.is_working_day(end)
    assert cal.working_days_between(start, end) == n
    # end is the *first* day reaching n: the day before has only n - 1
    assert cal.working_days_between(start, end - datetime.timedelta(days=1)) == n - 1
    assert cal.period_satisfied(start, end, n)
    assert not cal.period_satisfied(start, end - datetime.timedelta(days=1), n)


@settings(max_examples=100, deadline=None)
@given(
    start=st.dates(min_value=D(2004, 1, 1), max_value=D(2026, 12, 31)),
    length=st.integers(min_value=0, max_value=60),
)
def test_count_matches_package_day_by_day(start: D, length: int) -> None:
    end = min(start + datetime.timedelta(days=length), D(2026, 12, 31))
    expected = sum(
        chinese_calendar.is_workday(start + datetime.timedelta(days=i))
        for i in range((end - start).days + 1)
    )
    assert default_calendar().working_days_between(start, end) == expected
