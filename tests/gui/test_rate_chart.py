"""The message-rate counter's arithmetic on an injected clock, and the chart that paints it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QHelpEvent, QImage, QPalette
from PySide6.QtWidgets import QApplication, QLineEdit, QToolTip, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from inspector.ui.rate_chart import (
    RateChart,
    RateCounter,
    format_rate,
    format_readout,
    format_scale,
    nice_ceiling,
    span_note,
)

T0 = 1000.0


class FakeClock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


# ----- RateCounter ----------------------------------------------------------------------------------------------


def test_an_empty_counter_reads_zero() -> None:
    counter = RateCounter(clock=FakeClock())
    assert counter.series() == [0.0] * 600
    assert counter.peak() == 0
    assert counter.total() == 0
    assert counter.rate() == 0.0


def test_counts_land_in_their_second_oldest_first() -> None:
    counter = RateCounter(span_secs=10, clock=FakeClock(T0 + 4.0))
    counter.add(3, now=T0 + 0.1)
    counter.add(2, now=T0 + 0.9)  # same second
    counter.add(1, now=T0 + 2.5)  # a second skipped between calls
    assert counter.series(now=T0 + 2.5) == [0.0] * 7 + [5.0, 0.0, 1.0]
    assert counter.series(now=T0 + 4.0) == [0.0] * 5 + [5.0, 0.0, 1.0, 0.0, 0.0]
    assert counter.peak() == 5
    assert counter.total() == 6


def test_a_burst_and_the_window_sliding_past_it() -> None:
    clock = FakeClock()
    counter = RateCounter(span_secs=60, clock=clock)
    for _ in range(1000):  # 1000 messages within one second, one at a time
        counter.add(1)
    clock.now += 0.5
    counter.add(500)
    assert counter.peak() == 1500
    assert counter.total() == 1500
    clock.now = T0 + 59
    assert counter.total() == 1500  # the burst's second is still the oldest in the window
    assert counter.series()[0] == 1500.0
    clock.now = T0 + 60
    assert counter.total() == 0
    assert counter.peak() == 0
    assert counter.series() == [0.0] * 60


def test_a_gap_longer_than_the_span_clears_everything() -> None:
    clock = FakeClock(T0 + 9)
    counter = RateCounter(span_secs=10, clock=clock)
    for sec in range(10):
        counter.add(sec + 1, now=T0 + sec)
    assert counter.total() == 55
    clock.now = T0 + 1_000_000
    counter.add(7)
    assert counter.series() == [0.0] * 9 + [7.0]
    assert counter.total() == 7
    assert counter.peak() == 7
    counter.add(1, now=T0 + 1_000_000 + 10)  # exactly one span later: the 7 is gone
    assert counter.series(now=T0 + 1_000_000 + 10) == [0.0] * 9 + [1.0]


def test_late_counts_go_to_their_second_or_are_dropped() -> None:
    counter = RateCounter(span_secs=10, clock=FakeClock(T0 + 20))
    counter.add(1, now=T0 + 20)
    counter.add(4, now=T0 + 15)  # late, still in the window
    counter.add(100, now=T0 + 5)  # older than the window
    assert counter.series(now=T0 + 20) == [0.0] * 4 + [4.0] + [0.0] * 4 + [1.0]
    assert counter.total() == 5


def test_the_rate_is_the_average_of_the_last_five_whole_seconds() -> None:
    clock = FakeClock()
    counter = RateCounter(span_secs=60, clock=clock)
    for sec in range(10):
        counter.add(10 * sec, now=T0 + sec + 0.3)  # 0, 10, ..., 90 a second
    clock.now = T0 + 9.5
    assert counter.rate() == pytest.approx((40 + 50 + 60 + 70 + 80) / 5)  # the second still filling is left out
    clock.now = T0 + 10.0
    assert counter.rate() == pytest.approx((50 + 60 + 70 + 80 + 90) / 5)
    clock.now = T0 + 12.0  # two quiet seconds
    assert counter.rate() == pytest.approx((70 + 80 + 90) / 5)
    assert counter.rate(seconds=1) == 0.0
    clock.now = T0 + 100.0
    assert counter.rate() == 0.0
    counter.add(62, now=T0 + 100.5)
    assert counter.rate(now=T0 + 101.0) == pytest.approx(12.4)
    assert format_rate(counter.rate(now=T0 + 101.0)) == "12.4 msg/s"


def test_clear_and_bad_arguments() -> None:
    counter = RateCounter(span_secs=10)
    counter.add(5, now=T0)
    counter.clear()
    counter.add(2, now=T0 - 50)  # after clearing, the clock may start afresh
    assert counter.total(now=T0 - 50) == 2
    assert counter.series(now=T0 - 50) == [0.0] * 9 + [2.0]
    counter.clear()
    assert counter.total(now=T0) == 0
    assert counter.series(now=T0) == [0.0] * 10
    with pytest.raises(ValueError, match="count"):
        counter.add(-1)
    with pytest.raises(ValueError, match="seconds"):
        counter.rate(seconds=10)
    with pytest.raises(ValueError, match="span_secs"):
        RateCounter(span_secs=1)


def test_add_keeps_a_fixed_span_at_a_thousand_calls_a_second() -> None:
    """200 s at 1000 messages a second: the counter keeps one bucket per second of its span, whatever it was given
    (bench/gui_ingest.py measures the cost of an add; a test never times it)."""
    clock = FakeClock()
    counter = RateCounter(clock=clock)
    span = len(counter._buckets)
    for n in range(200_000):
        clock.now = T0 + n / 1000
        counter.add(1)
    assert counter.total() == 200_000
    assert counter.peak() == 1000
    assert len(counter._buckets) == span


def test_nice_numbers_and_labels() -> None:
    assert [nice_ceiling(v) for v in (0, 0.3, 1, 1.1, 2, 3, 5, 7, 10, 11, 99, 101, 4000)] == [
        1,
        0.5,
        1,
        2,
        2,
        5,
        5,
        10,
        10,
        20,
        100,
        200,
        5000,
    ]
    assert [format_scale(v) for v in (0.5, 1, 20, 500, 2000, 10_000, 1_000_000)] == [
        "0.5",
        "1",
        "20",
        "500",
        "2k",
        "10k",
        "1M",
    ]
    assert format_rate(0) == "0.0 msg/s"
    assert format_rate(1234.4) == "1,234 msg/s"
    assert format_readout(12, "09:14:05") == "12 messages/s at 09:14:05"
    assert format_readout(1, "09:14:05") == "1 message/s at 09:14:05"
    assert format_readout(0, "09:14:05") == "0 messages/s at 09:14:05"
    assert format_readout(1234, "09:14:05") == "1,234 messages/s at 09:14:05"
    assert span_note(600) == "last 10 min"
    assert span_note(90) == "last 90 s"


# ----- RateChart ------------------------------------------------------------------------------------------------


def fill_pixels(chart: RateChart, image: QImage) -> int:
    """How many pixels of the plot area have exactly the fill colour."""
    ratio = image.devicePixelRatio()
    plot = chart.plot_rect()
    fill = RateChart.FILL_COLOR.rgb()
    count = 0
    for y in range(int(plot.top() * ratio) + 1, int(plot.bottom() * ratio)):
        for x in range(int(plot.left() * ratio) + 1, int(plot.right() * ratio), 2):
            if image.pixel(x, y) == fill:
                count += 1
    return count


def fed_counter(clock: FakeClock) -> RateCounter:
    counter = RateCounter(clock=clock)
    for sec in range(120):  # two minutes of a steady 20 a second, then a burst of 50
        counter.add(20, now=T0 + sec)
    counter.add(50, now=T0 + 120)
    clock.now = T0 + 125.5
    return counter


def test_the_chart_paints_data_and_nothing_for_an_empty_counter(qtbot: QtBot) -> None:
    clock = FakeClock()
    chart = RateChart(RateCounter(clock=clock))
    qtbot.addWidget(chart)
    chart.resize(300, 100)
    assert fill_pixels(chart, chart.grab().toImage()) == 0

    chart.set_counter(fed_counter(clock))
    image = chart.grab().toImage()
    assert image.width() == round(300 * image.devicePixelRatio())
    painted = fill_pixels(chart, image)
    assert painted > 50
    # Only the newest fifth of the plot (about 2 of its 10 minutes) has data: the fill is all at the right.
    plot = chart.plot_rect()
    ratio = image.devicePixelRatio()
    y = int((plot.bottom() - 3) * ratio)
    middle = int((plot.left() + plot.width() / 2) * ratio)
    right = int((plot.right() - plot.width() * 0.1) * ratio)
    assert image.pixel(middle, y) != RateChart.FILL_COLOR.rgb()
    assert image.pixel(right, y) == RateChart.FILL_COLOR.rgb()


def test_the_chart_resizes(qtbot: QtBot) -> None:
    clock = FakeClock()
    chart = RateChart(fed_counter(clock))
    qtbot.addWidget(chart)
    chart.resize(240, 80)
    small = chart.plot_rect()
    small_fill = fill_pixels(chart, chart.grab().toImage())
    chart.resize(800, 300)
    big = chart.plot_rect()
    image = chart.grab().toImage()
    assert image.width() == round(800 * image.devicePixelRatio())
    assert big.width() > small.width()
    assert big.height() > small.height()
    assert fill_pixels(chart, image) > small_fill > 0


def test_no_data_no_counter_and_tiny_sizes_paint_without_error(qtbot: QtBot) -> None:
    chart = RateChart()
    qtbot.addWidget(chart)
    assert chart.counter() is None
    assert not chart.grab().isNull()
    chart.set_counter(RateCounter())
    chart.setMinimumSize(0, 0)
    chart.resize(1, 1)  # a degenerate plot area
    chart.grab()
    chart.resize(240, 80)
    assert fill_pixels(chart, chart.grab().toImage()) == 0


def test_minimum_size_tooltip_and_it_ticks_only_while_visible(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    chart = RateChart(RateCounter(span_secs=120), parent)
    QVBoxLayout(parent).addWidget(chart)
    assert chart.minimumSizeHint().width() >= 240
    assert chart.minimumSizeHint().height() >= 80
    assert "last 2 min" in chart.toolTip()
    assert chart.accessibleName() == "Message rate"
    assert "last 2 min" in chart.accessibleDescription()
    assert "Left and Right" in chart.accessibleDescription()
    assert not chart.is_ticking()
    parent.show()
    qtbot.waitExposed(parent)
    assert chart.is_ticking()
    parent.hide()
    assert not chart.is_ticking()
    parent.show()
    assert chart.is_ticking()
    chart.set_counter(None)
    parent.close()
    assert not chart.is_ticking()


# ----- the scale follows the data; the readout by mouse and by keyboard ----------------------------------------

WALL = datetime(2024, 5, 1, 9, 14, 30, 500_000, tzinfo=UTC).timestamp()  # the wall clock when the mono one reads NOW
NOW = T0 + 125.5


def readout_chart(qtbot: QtBot) -> tuple[RateChart, FakeClock]:
    """Two minutes of 20 a second, one second of 50 at T0+120 and one of 1 at T0+121, on a 2-minute chart."""
    clock = FakeClock()
    counter = RateCounter(span_secs=120, clock=clock)
    for sec in range(5, 120):
        counter.add(20, now=T0 + sec)
    counter.add(50, now=T0 + 120)
    counter.add(1, now=T0 + 121)
    clock.now = NOW
    chart = RateChart(counter, wall_clock=lambda: WALL + (clock.now - NOW))
    chart.set_utc(True)
    qtbot.addWidget(chart)
    chart.resize(800, 200)
    chart.show()
    qtbot.waitExposed(chart)
    return chart, clock


def column_fill(chart: RateChart, image: QImage, x: float, y: float) -> bool:
    ratio = image.devicePixelRatio()
    return image.pixel(int(x * ratio), int(y * ratio)) == RateChart.FILL_COLOR.rgb()


def test_the_scale_follows_the_data_up_and_down(qtbot: QtBot) -> None:
    clock = FakeClock()
    counter = RateCounter(span_secs=60, clock=clock)
    chart = RateChart(counter)
    qtbot.addWidget(chart)
    chart.resize(400, 150)
    assert chart.scale() == 1  # nothing yet
    for sec in range(30):
        counter.add(17, now=T0 + sec)
    clock.now = T0 + 30.5
    assert chart.scale() == 20
    counter.add(130, now=T0 + 30.7)
    clock.now = T0 + 31.5
    assert chart.scale() == 200  # up with a burst
    for sec in range(32, 95):
        counter.add(3, now=T0 + sec)
    clock.now = T0 + 95.5
    assert chart.scale() == 5  # and down once the burst and the 17s have left the window
    # The steady 3 a second fills nearly the whole height of the plot: the scale is not stuck at an old peak.
    plot = chart.plot_rect()
    image = chart.grab().toImage()
    assert column_fill(chart, image, plot.left() + plot.width() / 2, plot.top() + plot.height() * 0.45)
    clock.now = T0 + 200
    assert chart.scale() == 1  # quiet again


def test_hovering_shows_the_count_and_time_of_the_second_under_the_mouse(qtbot: QtBot) -> None:
    chart, _clock = readout_chart(qtbot)
    plain = chart.grab().toImage()
    burst = 119 - (1125 - 1120)  # the plotted seconds are 1006..1124: the burst's second is 5 before the newest
    assert chart.index_at(chart.x_of(burst)) == burst
    qtbot.mouseMove(chart, QPoint(round(chart.x_of(burst)), 100))
    assert chart.readout_index() == burst
    assert chart.readout_text() == "50 messages/s at 09:14:25 UTC"  # the burst came 5.5 s before 09:14:30.5
    qtbot.mouseMove(chart, QPoint(round(chart.x_of(burst + 1)), 100))
    assert chart.readout_text() == "1 message/s at 09:14:26 UTC"
    qtbot.mouseMove(chart, QPoint(round(chart.x_of(burst + 2)), 100))
    assert chart.readout_text() == "0 messages/s at 09:14:27 UTC"
    # The readout is drawn: a box in the tooltip colour on the plot.
    shown = chart.grab().toImage()
    box = chart.palette().color(QPalette.ColorRole.ToolTipBase).rgb()
    plot = chart.plot_rect()
    ratio = shown.devicePixelRatio()
    band = [(x, int((plot.top() + 8) * ratio)) for x in range(shown.width())]
    assert any(shown.pixel(x, y) == box for x, y in band)
    assert not any(plain.pixel(x, y) == box for x, y in band)
    # Local time unless UTC is asked for.
    chart.set_utc(False)
    local = datetime.fromtimestamp(WALL - 3.5).astimezone().strftime("%H:%M:%S")
    assert chart.readout_text() == f"0 messages/s at {local}"
    # Leaving the chart hides the readout; so does the mouse leaving the plot.
    QApplication.sendEvent(chart, QEvent(QEvent.Type.Leave))
    assert chart.readout_index() is None
    assert chart.readout_text() == ""
    qtbot.mouseMove(chart, QPoint(round(chart.x_of(burst)), 100))
    qtbot.mouseMove(chart, QPoint(2, 100))  # the gutter at the left
    assert chart.readout_index() is None


def test_the_readout_follows_the_mouse_as_the_seconds_pass(qtbot: QtBot) -> None:
    chart, clock = readout_chart(qtbot)
    newest = 118
    qtbot.mouseMove(chart, QPoint(round(chart.x_of(newest)), 100))
    assert chart.readout_text() == "0 messages/s at 09:14:29 UTC"
    clock.now += 1  # a second later the same place is the next second
    assert chart.readout_text() == "0 messages/s at 09:14:30 UTC"


def test_the_keyboard_moves_the_readout(qtbot: QtBot) -> None:
    chart, _clock = readout_chart(qtbot)
    assert chart.focusPolicy() == Qt.FocusPolicy.StrongFocus
    chart.setFocus()
    assert chart.readout_index() is None
    qtbot.keyClick(chart, Qt.Key.Key_Left)  # the first key starts at the newest second
    assert chart.readout_index() == 118
    assert chart.readout_text() == "0 messages/s at 09:14:29 UTC"
    assert chart.accessibleDescription().startswith("0 messages/s at 09:14:29 UTC. ")
    for _ in range(4):
        qtbot.keyClick(chart, Qt.Key.Key_Left)
    assert chart.readout_text() == "50 messages/s at 09:14:25 UTC"
    assert chart.accessibleDescription().startswith("50 messages/s at 09:14:25 UTC. ")
    qtbot.keyClick(chart, Qt.Key.Key_Right)
    assert chart.readout_text() == "1 message/s at 09:14:26 UTC"
    qtbot.keyClick(chart, Qt.Key.Key_PageUp)
    assert chart.readout_index() == 115 - 60
    qtbot.keyClick(chart, Qt.Key.Key_Home)
    assert chart.readout_index() == 0
    qtbot.keyClick(chart, Qt.Key.Key_Left)  # stays at the oldest
    assert chart.readout_index() == 0
    qtbot.keyClick(chart, Qt.Key.Key_PageDown)
    qtbot.keyClick(chart, Qt.Key.Key_End)
    assert chart.readout_index() == 118
    qtbot.keyClick(chart, Qt.Key.Key_Right)  # stays at the newest
    assert chart.readout_index() == 118
    qtbot.keyClick(chart, Qt.Key.Key_Escape)
    assert chart.readout_index() is None
    assert not chart.accessibleDescription().startswith("0 messages")


def test_the_keyboard_readout_goes_with_the_focus(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    chart = RateChart(fed_counter(FakeClock()), parent)
    other = QLineEdit()
    layout = QVBoxLayout(parent)
    layout.addWidget(chart)
    layout.addWidget(other)
    parent.show()
    parent.activateWindow()
    chart.setFocus()
    qtbot.waitUntil(chart.hasFocus)
    qtbot.keyClick(chart, Qt.Key.Key_End)
    assert chart.readout_index() is not None
    other.setFocus()
    qtbot.waitUntil(other.hasFocus)
    assert chart.readout_index() is None


def test_no_tooltip_over_the_plot_where_the_readout_speaks(qtbot: QtBot) -> None:
    chart, _clock = readout_chart(qtbot)
    inside = chart.plot_rect().center().toPoint()
    event = QHelpEvent(QEvent.Type.ToolTip, inside, chart.mapToGlobal(inside))
    assert QApplication.sendEvent(chart, event)
    assert not QToolTip.isVisible()
    assert "last 2 min" in chart.toolTip()  # the explanation stays for the edges around the plot


def test_no_readout_without_data_or_counter(qtbot: QtBot) -> None:
    chart = RateChart()
    qtbot.addWidget(chart)
    chart.set_readout(5)
    assert chart.readout_index() is None
    assert chart.readout_text() == ""
    qtbot.keyClick(chart, Qt.Key.Key_Left)
    assert chart.readout_index() is None
    assert chart.index_at(100) is None
