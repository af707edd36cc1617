"""The timestamp kernels (a compiled strptime subset) against ``datetime.strptime``."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llamalog import LlamalogWarning
from llamalog.parse import _time_kernels as K
from llamalog.parse.timestamps import (
    AMBIGUOUS_ZONES,
    CANDIDATES,
    ZONE_ABBREVIATIONS,
    TimeFormat,
    YearState,
    infer_time_format,
    parse_times,
)

from . import reference as R

NAT = np.iinfo(np.int64).min


def spans(texts: list[str | None]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A buffer holding the texts and their ranges; None is an absent value (-1)."""
    data = bytearray()
    starts, ends = [], []
    for text in texts:
        if text is None:
            starts.append(-1)
            ends.append(-1)
            continue
        starts.append(len(data))
        data += text.encode()
        ends.append(len(data))
        data += b"\n"
    buf = np.frombuffer(data, dtype=np.uint8) if data else np.zeros(0, dtype=np.uint8)
    return buf.copy(), np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64)


def kernel_ns(texts: list[str | None], fmt: str, **kw) -> tuple[list[int], list[bool]]:
    """Nanoseconds since the epoch (UTC; NAT for NaT) and the ``failed`` flags."""
    index, failed = parse_times(*spans(texts), TimeFormat.compile(fmt), **kw)
    assert str(index.tz) == "UTC"
    return index.asi8.tolist(), failed.tolist()


def reference_ns(text: str, fmt: str, year: int | None = None) -> int | None:
    got = R.parse_time(text, fmt, year)
    if got is None:
        return None
    when, extra = got
    ns = R.time_ns(when, extra)
    assert ns == pd.Timestamp(when).value + extra  # pandas agrees with the hand arithmetic
    return ns


# --------------------------------------------------------------------------- round trips

FRACS = ["", ".1", ".3", ".6", ".9", ",3", ",6"]
values = st.tuples(
    st.datetimes(min_value=dt.datetime(1971, 1, 1), max_value=dt.datetime(2067, 12, 31)),
    st.integers(0, 999),  # nanoseconds below the microsecond
    st.sampled_from(FRACS),  # how %.f is written
    st.integers(-14 * 60, 14 * 60),  # zone offset in minutes, for %z
)


def _cases():
    for fmt in CANDIDATES:
        yield pytest.param(fmt, id=fmt)


@pytest.mark.parametrize("fmt", list(_cases()))
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.lists(values, min_size=1, max_size=6))
def test_candidates_round_trip(fmt, data):
    texts = []
    for when, ns, frac, offset in data:
        if "%z" in fmt:
            when = when.replace(tzinfo=dt.timezone(dt.timedelta(minutes=offset)))
        texts.append(R.format_time(when, fmt, ns, frac))
    texts += texts[:2]  # repeated values (the kernel reuses the row before)

    expected = []
    for text, (_, _, frac, _) in zip(texts, data + data[:2], strict=True):
        got = R.parse_time(text, fmt)
        assert got is not None, f"reference cannot read {text!r} with {fmt!r}"
        assert R.format_time(got[0], fmt, got[1], frac) == text  # read back in full
        expected.append(reference_ns(text, fmt))

    if R.has_year(fmt):
        ns, failed = kernel_ns(texts, fmt)
    else:  # year-less: each value alone, in the reference's year
        ns, failed = [], []
        for text in texts:
            a, b = kernel_ns([text], fmt, year_state=YearState(base=2000))
            ns += a
            failed += b
    assert failed == [False] * len(texts)
    assert ns == expected, list(zip(texts, ns, expected, strict=True))


@pytest.mark.parametrize(
    ("text", "ns"),
    [
        ("1077804742", 1077804742_000_000_000),
        ("1077804742.5", 1077804742_500_000_000),
        ("1077804742.123456789", 1077804742_123_456_789),
        ("1077804742.1234567891", 1077804742_123_456_789),
        ("1077804742.", 1077804742_000_000_000),
    ],
)
def test_epoch_seconds_with_fraction(text, ns):
    assert reference_ns(text, "%s") == ns
    assert kernel_ns([text], "%s") == ([ns], [False])


def test_epoch_milliseconds():
    assert reference_ns("1077804742123", "%Q") == 1077804742_123_000_000
    assert kernel_ns(["1077804742123"], "%Q") == ([1077804742_123_000_000], [False])


# --------------------------------------------------------------------------- bad values


@pytest.mark.parametrize(
    "text",
    [
        "2023-02-30 10:00:00",  # Feb 30
        "2023-02-29 10:00:00",  # not a leap year
        "1900-02-29 10:00:00",  # not a leap year either
        "2023-04-31 10:00:00",
        "2023-13-01 10:00:00",  # month 13
        "2023-00-10 10:00:00",
        "2023-01-00 10:00:00",
        "2023-01-01 24:00:00",  # hour 24
        "2023-01-01 10:60:00",
        "2023-01-01 10:00:00x",
        "2023-01-01",
        "",
    ],
)
def test_invalid_dates_fail(text):
    fmt = "%Y-%m-%d %H:%M:%S%.f"
    assert R.parse_time(text, fmt) is None
    assert kernel_ns([text], fmt) == ([NAT], [True])


def test_leap_day_and_absent_values():
    fmt = "%Y-%m-%d %H:%M:%S%.f"
    texts = ["2024-02-29 10:00:00", None, "2000-02-29 00:00:00.5"]
    ns, failed = kernel_ns(texts, fmt)
    assert ns == [reference_ns(texts[0], fmt), NAT, reference_ns(texts[2], fmt)]
    assert failed == [False, False, False]  # an absent value is NaT, not a failure


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2024-05-01T12:00:00+05:30", "2024-05-01T06:30:00"),
        ("2024-05-01T12:00:00-0800", "2024-05-01T20:00:00"),
        ("2024-05-01T12:00:00Z", "2024-05-01T12:00:00"),
        ("2024-05-01T00:15:00.25+01:00", "2024-04-30T23:15:00.25"),
    ],
)
def test_zone_offsets_convert_to_utc(text, utc):
    fmt = "%Y-%m-%dT%H:%M:%S%.f%z"
    expected = pd.Timestamp(utc, tz="UTC").value
    assert reference_ns(text, fmt) == expected
    # the offset wins over tz=
    assert kernel_ns([text], fmt) == ([expected], [False])
    assert kernel_ns([text], fmt, tz="Europe/Paris") == ([expected], [False])


# --------------------------------------------------------------------------- years and zones


def test_yearless_dates_roll_over_the_new_year():
    fmt = "%b %d %H:%M:%S%.f"
    texts = ["Dec 30 23:59:58", "Dec 31 23:59:59.5", "Jan  1 00:00:01", "Jan  2 10:00:00"]
    years = R.assign_years([(12, 30), (12, 31), (1, 1), (1, 2)], 2025)
    assert years == [2025, 2025, 2026, 2026]
    expected = [reference_ns(t, fmt, y) for t, y in zip(texts, years, strict=True)]
    assert pd.Timestamp(expected[2], tz="UTC") == pd.Timestamp("2026-01-01 00:00:01", tz="UTC")

    assert kernel_ns(texts, fmt, year_state=YearState(base=2025)) == (expected, [False] * 4)

    # the same lines in two blocks of one source: the state carries the year
    state = YearState(base=2025)
    first, _ = kernel_ns(texts[:2], fmt, year_state=state)
    second, _ = kernel_ns(texts[2:], fmt, year_state=state)
    assert first + second == expected


def test_yearless_feb_29_in_a_common_year_fails():
    fmt = "%b %d %H:%M:%S%.f"
    assert R.parse_time("Feb 29 10:00:00", fmt, 2025) is None
    assert kernel_ns(["Feb 29 10:00:00"], fmt, year_state=YearState(base=2025)) == (
        [NAT],
        [True],
    )


@pytest.mark.parametrize(
    "wall",
    [
        "2024-01-15 12:00:00",  # CET, +01:00
        "2024-07-15 12:00:00.123456789",  # CEST, +02:00
        "2024-03-31 02:30:00",  # in the spring-forward gap: moves to 03:00 CEST
        "2024-03-31 02:00:00",
        "2024-03-31 03:00:00",
        "2024-10-27 02:30:00",  # ambiguous: read as summer time
        "2024-10-27 03:00:00",
    ],
)
def test_local_times_in_paris(wall):
    fmt = "%Y-%m-%d %H:%M:%S%.f"
    naive, extra = R.parse_time(wall, fmt)
    expected = R.time_ns(R.localize(naive, "Europe/Paris"), extra)
    stamp = pd.Timestamp(wall).tz_localize(
        "Europe/Paris", ambiguous=True, nonexistent="shift_forward"
    )
    assert stamp.value == expected  # the reference agrees with pandas
    assert kernel_ns([wall], fmt, tz="Europe/Paris") == ([expected], [False])


def test_parts_are_joined_with_a_space():
    """Time fields in two spans (HDFS Date + Time) parse as one text."""
    fmt = "%y%m%d %H%M%S"
    rows = [("081109", "203615"), ("081110", "000001"), (None, "203615"), (None, None)]
    buf, s1, e1 = spans([a for a, _ in rows])
    buf2, s2, e2 = spans([b for _, b in rows])
    buf = np.concatenate([buf, buf2])
    s2 = np.where(s2 >= 0, s2 + len(buf) - len(buf2), -1)
    e2 = np.where(e2 >= 0, e2 + len(buf) - len(buf2), -1)
    index, failed = parse_times(
        buf, np.stack([s1, s2]), np.stack([e1, e2]), TimeFormat.compile(fmt)
    )
    expected = [reference_ns("081109 203615", fmt), reference_ns("081110 000001", fmt)]
    assert index.asi8.tolist() == [*expected, NAT, NAT]
    assert failed.tolist() == [False, False, True, False]


# --------------------------------------------------------------------------- inference


@pytest.mark.parametrize(
    ("texts", "fmt"),
    [
        (["081109 203615", "081109 203807", "081109 204005", "081110 000000"], "%y%m%d %H%M%S"),
        (
            ["2005-06-03-15.42.50.675872", "2005-06-03-15.42.50.363779", "2005-06-04-00.00.01.1"],
            "%Y-%m-%d-%H.%M.%S.%f",
        ),
        (["1077804742", "1077804743", "1077805000"], "%s"),
        (["1077804742123", "1077804742999"], "%Q"),
        (["2015-10-18 18:01:47,978", "2015-10-18 18:01:48,001"], "%Y-%m-%d %H:%M:%S%.f"),
        (["Jun  9 06:06:20", "Jun 10 11:32:25"], "%b %d %H:%M:%S%.f"),
        (["17/06/09 20:10:40", "17/06/09 20:10:41"], "%y/%m/%d %H:%M:%S%.f"),
    ],
)
def test_infer_time_format(texts, fmt):
    got, rate = infer_time_format(*spans(texts))
    assert got is not None and got.text == fmt
    assert rate == 1.0
    for text in texts:
        assert R.parse_time(text, fmt) is not None


@pytest.mark.parametrize(
    "texts",
    [
        ["hello", "world", "INFO"],
        ["12:ab:cd", "--"],
        ["123", "4567"],  # digits too short for epoch seconds
        [None, None],
    ],
)
def test_infer_time_format_gives_up_on_garbage(texts):
    assert infer_time_format(*spans(texts)) == (None, 0.0)


# --------------------------------------------------------------------------- zones by name


@pytest.mark.parametrize(
    ("name", "offset"),
    [
        ("UTC", "+00:00"), ("GMT", "+00:00"), ("UT", "+00:00"), ("Z", "+00:00"),
        ("WET", "+00:00"), ("WEST", "+01:00"), ("CET", "+01:00"), ("CEST", "+02:00"),
        ("MET", "+01:00"), ("MEST", "+02:00"), ("EET", "+02:00"), ("EEST", "+03:00"),
        ("MSK", "+03:00"), ("EST", "-05:00"), ("EDT", "-04:00"), ("CDT", "-05:00"),
        ("MST", "-07:00"), ("MDT", "-06:00"), ("PST", "-08:00"), ("PDT", "-07:00"),
        ("AKST", "-09:00"), ("AKDT", "-08:00"), ("HST", "-10:00"), ("AEST", "+10:00"),
        ("AEDT", "+11:00"), ("ACST", "+09:30"), ("ACDT", "+10:30"), ("AWST", "+08:00"),
        ("JST", "+09:00"), ("KST", "+09:00"), ("HKT", "+08:00"), ("SGT", "+08:00"),
        ("NZST", "+12:00"), ("NZDT", "+13:00"), ("NST", "-03:30"), ("cet", "+01:00"),
    ],
)  # fmt: skip
def test_zone_abbreviations_are_fixed_offsets(name, offset):
    fmt = "%Y-%m-%d %H:%M:%S%.f %z"
    # CET is +01:00 in July too: the summer name is CEST
    for day in ("2026-01-15", "2026-07-15"):
        got, failed = kernel_ns([f"{day} 10:00:00.5 {name}"], fmt)
        assert got == [pd.Timestamp(f"{day} 10:00:00.5{offset}").value]
        assert failed == [False]


@pytest.mark.parametrize("text", ["2026-01-15 10:00:00 XYZ", "2026-01-15 10:00:00 CETX"])
def test_unknown_zone_names_fail(text):
    got, failed = kernel_ns([text], "%Y-%m-%d %H:%M:%S %z")
    assert got == [NAT] and failed == [True]


@pytest.mark.parametrize(
    ("name", "offset", "says"),
    [("IST", "+05:30", "India"), ("CST", "-06:00", "US Central"), ("BST", "+01:00", "British")],
)
def test_ambiguous_zone_warns_once_with_the_choice(name, offset, says):
    texts = [f"2026-03-01 08:00:0{i} {name}" for i in range(3)]
    state = YearState()
    with pytest.warns(LlamalogWarning) as caught:
        got, _ = kernel_ns(texts, "%Y-%m-%d %H:%M:%S %z", year_state=state)
        kernel_ns(texts, "%Y-%m-%d %H:%M:%S %z", year_state=state)  # the next block
    ours = [str(w.message) for w in caught if issubclass(w.category, LlamalogWarning)]
    assert len(ours) == 1
    assert name in ours[0] and offset in ours[0] and says in ours[0]
    assert "tz=" in ours[0] and "time_format=" in ours[0]
    assert got[0] == pd.Timestamp(f"2026-03-01 08:00:00{offset}").value


def test_ambiguous_zone_read_otherwise_with_a_literal_and_tz(recwarn):
    # the way out the warning gives: the name as literal text and the zone as tz=
    got, _ = kernel_ns(["2026-03-01 08:00:00 CST"], "%Y-%m-%d %H:%M:%S CST", tz="Asia/Shanghai")
    assert got == [pd.Timestamp("2026-03-01 08:00:00+08:00").value]
    assert not [w for w in recwarn if issubclass(w.category, LlamalogWarning)]


def test_zones_not_ambiguous_do_not_warn(recwarn):
    kernel_ns(["2026-03-01 08:00:00 CET", "2026-03-01 08:00:00 +0100"], "%Y-%m-%d %H:%M:%S %z")
    assert not [w for w in recwarn if issubclass(w.category, LlamalogWarning)]


def test_zone_table_is_sorted_and_documented():
    assert ZONE_ABBREVIATIONS["IST"] == 19800 and ZONE_ABBREVIATIONS["CST"] == -21600
    assert set(AMBIGUOUS_ZONES) <= set(ZONE_ABBREVIATIONS)
    fmt = TimeFormat.compile("%Y-%m-%dT%H:%M:%S%z")
    tab = int(fmt.args[list(fmt.codes).index(K.T_TZ)])
    n = int(fmt.args[tab])
    keys = fmt.args[tab + 1 : tab + 1 + n]
    assert n == len(ZONE_ABBREVIATIONS) and (np.diff(keys) > 0).all()


@pytest.mark.parametrize(
    ("text", "fmt", "expected"),
    [
        ("2026-12-07 22:16:21.341 UTC", "%Y-%m-%d %H:%M:%S%.f %z", "2026-12-07 22:16:21.341Z"),
        ("2026-12-07 22:16:21 CET", "%Y-%m-%d %H:%M:%S%.f %z", "2026-12-07 21:16:21Z"),
        ("2026-12-07 22:16:21.341 +0100", "%Y-%m-%d %H:%M:%S%.f %z", "2026-12-07 21:16:21.341Z"),
        ("2026-12-07 22:16:21,341 CEST", "%Y-%m-%d %H:%M:%S%.f %z", "2026-12-07 20:16:21.341Z"),
        ("Mon Dec 07 22:16:21.341234 2026", "%a %b %d %H:%M:%S%.f %Y",
         "2026-12-07 22:16:21.341234Z"),
        ("07-Dec-2026 22:16:21.341", "%d-%b-%Y %H:%M:%S%.f", "2026-12-07 22:16:21.341Z"),
        ("07 Dec 2026 22:16:21.341", "%d %b %Y %H:%M:%S%.f", "2026-12-07 22:16:21.341Z"),
        ("2026/12/07 22:16:21", "%Y/%m/%d %H:%M:%S%.f", "2026-12-07 22:16:21Z"),
        ("261207 22:16:21", "%y%m%d %H:%M:%S%.f", "2026-12-07 22:16:21Z"),
        ("2026-12-07T22:16:21.341234567Z", "%Y-%m-%dT%H:%M:%S%.f%z",
         "2026-12-07 22:16:21.341234567Z"),
        ("1796681781", "%s", "2026-12-07 22:16:21Z"),
        ("1796681781.341", "%s", "2026-12-07 22:16:21.341Z"),
        ("1796681781341", "%Q", "2026-12-07 22:16:21.341Z"),
        ("1796681781341234", "%Q6", "2026-12-07 22:16:21.341234Z"),
        ("1796681781341234567", "%Q9", "2026-12-07 22:16:21.341234567Z"),
    ],
)  # fmt: skip
def test_infer_real_program_layouts(text, fmt, expected):
    texts = [text, text]
    got, rate = infer_time_format(*spans(texts))
    assert got is not None and got.text == fmt and rate == 1.0
    ns, failed = kernel_ns(texts, fmt)
    assert ns[0] == pd.Timestamp(expected).value and failed == [False, False]


def test_epoch_lengths_choose_the_unit():
    for digits, fmt in [(10, "%s"), (13, "%Q"), (16, "%Q6"), (19, "%Q9")]:
        texts = [str(1796681781341234567)[:digits], str(1796681781341234567 + 10**9)[:digits]]
        got, _ = infer_time_format(*spans(texts))
        assert got is not None and got.text == fmt
