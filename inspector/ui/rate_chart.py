"""A topic's message rate: a per-second counter over the last minutes, and a small chart that paints it.

QtCharts is not part of PySide6-Essentials, so the chart paints itself with QPainter.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QFont,
    QFontMetricsF,
    QHelpEvent,
    QHideEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QPolygonF,
    QShowEvent,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from inspector.ui.status import palette_is_dark

DEFAULT_SPAN_SECS = 600
RATE_SECS = 5


class RateCounter:
    """Messages counted per whole second over the last ``span_secs`` seconds, in a ring buffer.

    Each second of the clock (``floor(now)``) has a bucket; ``add`` puts a count in the current one, clearing the
    buckets of the seconds skipped since the previous call, so a quiet second reads as zero. ``add`` is O(1)
    amortized: a second's bucket is cleared once per time the clock passes it, and a gap longer than the span
    clears the whole buffer at once. Counts stamped at an earlier second still in the window go into its bucket;
    older ones are dropped. Not thread-safe: add and read on one thread (the GUI's).

    ``now`` defaults to ``clock()`` (``time.monotonic``); tests inject either.
    """

    def __init__(self, span_secs: int = DEFAULT_SPAN_SECS, clock: Callable[[], float] = time.monotonic) -> None:
        if span_secs < 2:
            raise ValueError(f"span_secs must be at least 2, not {span_secs}")
        self._span = span_secs
        self._clock = clock
        self._buckets = [0] * span_secs
        self._head: int | None = None  # the newest second counted; None until the first add
        self._index = 0  # its bucket: _head % span
        self._total = 0  # the sum of the buckets

    @property
    def span_secs(self) -> int:
        return self._span

    def now(self) -> float:
        """The counter's clock now (``time.monotonic`` unless a test injected another)."""
        return self._clock()

    def add(self, count: int = 1, now: float | None = None) -> None:
        """Count ``count`` messages received at ``now``."""
        if count < 0:
            raise ValueError(f"count must not be negative, not {count}")
        sec = math.floor(self._clock() if now is None else now)
        head = self._head
        if sec == head:  # the common case: another batch within the same second
            self._buckets[self._index] += count
            self._total += count
            return
        if head is None or sec > head:
            self._advance(sec)
            self._buckets[self._index] += count
            self._total += count
        elif head - sec < self._span:  # late, but still in the window
            self._buckets[sec % self._span] += count
            self._total += count

    def series(self, now: float | None = None) -> list[float]:
        """Messages per second for each of the last ``span_secs`` seconds, oldest first; the last is ``now``'s.

        The current second is still filling: it counts only what arrived so far. A ``now`` earlier than the
        newest count reads as of that count.
        """
        self._advance(math.floor(self._clock() if now is None else now))
        start = self._index + 1
        buckets = self._buckets
        return [float(n) for n in buckets[start:]] + [float(n) for n in buckets[:start]]

    def peak(self, now: float | None = None) -> int:
        """The most messages counted in one second of the window (0 when none)."""
        self._advance(math.floor(self._clock() if now is None else now))
        return max(self._buckets) if self._total else 0

    def total(self, now: float | None = None) -> int:
        """The messages counted in the window (the last ``span_secs`` seconds, the current one included)."""
        self._advance(math.floor(self._clock() if now is None else now))
        return self._total

    def rate(self, now: float | None = None, seconds: int = RATE_SECS) -> float:
        """Messages per second averaged over the last ``seconds`` whole seconds before ``now``'s.

        The second still filling is left out, so the figure does not dip at the start of each second.
        """
        if not 1 <= seconds < self._span:
            raise ValueError(f"seconds must be between 1 and {self._span - 1}, not {seconds}")
        self._advance(math.floor(self._clock() if now is None else now))
        if not self._total:
            return 0.0
        buckets, span, index = self._buckets, self._span, self._index
        return sum(buckets[(index - back) % span] for back in range(1, seconds + 1)) / seconds

    def clear(self) -> None:
        """Forget every count."""
        self._buckets = [0] * self._span
        self._head = None
        self._index = 0
        self._total = 0

    def _advance(self, sec: int) -> None:
        """Make ``sec`` the newest second, clearing the buckets of the seconds since the previous newest."""
        head = self._head
        if head is not None and sec <= head:
            return
        span = self._span
        if head is not None and sec - head < span:
            buckets, i = self._buckets, self._index
            for _ in range(sec - head):
                i = i + 1 if i + 1 < span else 0
                self._total -= buckets[i]
                buckets[i] = 0
        elif self._total:  # first use, or a gap as long as the window: nothing in it is left
            self._buckets = [0] * span
            self._total = 0
        self._head = sec
        self._index = sec % span


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 × 10^n at least ``value``; 1 for a value of zero or less."""
    if value <= 0:
        return 1.0
    magnitude = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 2.0, 5.0, 10.0):
        nice = step * magnitude
        if nice >= value * (1 - 1e-9):  # a value that is already nice stays as it is
            return nice
    return 10.0 * magnitude  # not reached: 10 × magnitude > value


def format_scale(value: float) -> str:
    """A y-axis figure, compact: 0.5, 20, 500, 2k, 10k, 1M."""
    if value >= 1_000_000:
        return f"{value / 1_000_000:g}M"
    if value >= 1000:
        return f"{value / 1000:g}k"
    return f"{value:g}"


def format_rate(rate: float) -> str:
    """The current rate as text: one decimal below 100 messages a second, none above."""
    return f"{rate:.1f} msg/s" if rate < 100 else f"{rate:,.0f} msg/s"


def format_readout(count: float, at: str) -> str:
    """A point of the chart in words: "12 messages/s at 09:14:05", "1 message/s at 09:14:05"."""
    n = round(count)
    return f"{n:,} message{'' if n == 1 else 's'}/s at {at}"


def span_note(span_secs: int) -> str:
    """The x-axis note: "last 10 min", or "last 90 s" for a span that is not whole minutes."""
    return f"last {span_secs // 60} min" if span_secs % 60 == 0 else f"last {span_secs} s"


class RateChart(QWidget):
    """A counter's messages per second over its span as a filled area, newest at the right.

    The y-axis goes from 0 to the peak of the seconds shown, rounded up to 1, 2 or 5 × 10^n: it grows with a burst
    and shrinks again once the burst has scrolled out of the window. The text at the top right is the average over
    the last few whole seconds. The second still filling is not plotted. The chart repaints once a second while it
    is visible, and not at all while hidden.

    A readout names one second's count and time ("12 messages/s at 09:14:05"): the second under the mouse while it
    hovers the chart, or, with the keyboard focus, the one Left and Right move to (Home and End: the oldest and the
    newest; Page Up and Page Down: a minute; Escape hides it). Times are local, or UTC after ``set_utc(True)``.
    """

    # The series on a light palette, and on a dark one (``series_colors``): the line reads at 4.5 or more on the
    # window and on the fill of its scheme.
    LINE_COLOR = QColor("#1565c0")
    FILL_COLOR = QColor("#bbdefb")
    DARK_LINE_COLOR = QColor("#90caf9")
    DARK_FILL_COLOR = QColor("#1f4f7a")
    MARGIN = 4.0
    PAGE_SECS = 60

    def __init__(
        self,
        counter: RateCounter | None = None,
        parent: QWidget | None = None,
        *,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(parent)
        self._counter = counter
        self._wall_clock = wall_clock
        self._utc = False
        self._readout: int | None = None  # the index of the second shown by the readout in the plotted seconds
        self._readout_by_mouse = False
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)
        self.setMinimumSize(240, 80)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setAccessibleName("Message rate")
        self._update_tooltip()

    # ----- API --------------------------------------------------------------------------------------------
    def counter(self) -> RateCounter | None:
        return self._counter

    def set_counter(self, counter: RateCounter | None) -> None:
        """Chart ``counter`` (or nothing), repainting now."""
        self._counter = counter
        self._readout = None
        self._update_tooltip()
        self.update()

    def set_utc(self, utc: bool) -> None:
        """Show the readout's times in UTC (True) or local time (False, the default)."""
        self._utc = utc
        self._readout_changed()

    def is_ticking(self) -> bool:
        """Whether the once-a-second repaint is running (only while the chart is visible)."""
        return self._timer.isActive()

    def plot_rect(self) -> QRectF:
        """The area the series is painted in, in widget coordinates."""
        return self._layout()[0]

    def values(self) -> list[float]:
        """The seconds plotted, oldest first: the counter's series without the second still filling."""
        return self._counter.series()[:-1] if self._counter is not None else []

    def scale(self) -> float:
        """The top of the y-axis: the peak of the seconds plotted, rounded up to 1, 2 or 5 × 10^n (1 with none)."""
        return nice_ceiling(max(self.values(), default=0.0))

    def readout_index(self) -> int | None:
        """Which plotted second the readout shows (0 is the oldest), or None when it is hidden."""
        return self._readout

    def set_readout(self, index: int | None) -> None:
        """Show the readout at plotted second ``index`` (clamped to the chart), or hide it (None)."""
        count = len(self.values())
        self._readout = None if index is None or count == 0 else max(0, min(count - 1, index))
        self._readout_by_mouse = False
        self._readout_changed()

    def readout_text(self) -> str:
        """The readout in words, "12 messages/s at 09:14:05"; empty when it is hidden."""
        counter, index = self._counter, self._readout
        if counter is None or index is None:
            return ""
        now = counter.now()
        values = counter.series(now)[:-1]
        if not values:
            return ""
        index = min(index, len(values) - 1)
        second = math.floor(now) - (len(values) - index)  # the last plotted second is the one before now's
        wall = self._wall_clock() - (now - second)
        stamp = datetime.fromtimestamp(wall, UTC) if self._utc else datetime.fromtimestamp(wall).astimezone()
        return format_readout(values[index], stamp.strftime("%H:%M:%S") + (" UTC" if self._utc else ""))

    def x_of(self, index: int) -> float:
        """The x coordinate of plotted second ``index`` in widget coordinates."""
        plot, count = self.plot_rect(), len(self.values())
        return plot.left() + index * plot.width() / (count - 1) if count > 1 else plot.left()

    def index_at(self, x: float) -> int | None:
        """The plotted second nearest to ``x`` (widget coordinates), or None outside the plot."""
        plot, count = self.plot_rect(), len(self.values())
        if count < 2 or plot.width() <= 1 or not plot.left() - 1 <= x <= plot.right() + 1:
            return None
        return max(0, min(count - 1, round((x - plot.left()) / plot.width() * (count - 1))))

    def series_colors(self) -> tuple[QColor, QColor]:
        """The series' line and fill for the chart's palette: dark shades on a light window, light ones on a dark
        window. The chart paints with its palette, so it follows a change of scheme at its next repaint."""
        if palette_is_dark(self.palette()):
            return self.DARK_LINE_COLOR, self.DARK_FILL_COLOR
        return self.LINE_COLOR, self.FILL_COLOR

    # ----- QWidget ----------------------------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        return QSize(360, 100)

    def minimumSizeHint(self) -> QSize:
        return QSize(240, 80)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._timer.start()
        self.update()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._timer.stop()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        index = self.index_at(event.position().x())
        if index is not None or self._readout_by_mouse:
            self._readout = index
            self._readout_by_mouse = index is not None
            self._readout_changed()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        if self._readout_by_mouse:
            self._readout = None
            self._readout_by_mouse = False
            self._readout_changed()
        super().leaveEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        if self._readout is not None and not self._readout_by_mouse:
            self._readout = None
            self._readout_changed()
        super().focusOutEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        count = len(self.values())
        key = event.key()
        steps = {
            Qt.Key.Key_Left: -1,
            Qt.Key.Key_Right: 1,
            Qt.Key.Key_PageUp: -self.PAGE_SECS,
            Qt.Key.Key_PageDown: self.PAGE_SECS,
        }
        if count == 0 or event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            super().keyPressEvent(event)
        elif key in steps:
            self.set_readout(count - 1 if self._readout is None else self._readout + steps[Qt.Key(key)])
        elif key == Qt.Key.Key_Home:
            self.set_readout(0)
        elif key == Qt.Key.Key_End:
            self.set_readout(count - 1)
        elif key == Qt.Key.Key_Escape and self._readout is not None:
            self.set_readout(None)
        else:
            super().keyPressEvent(event)

    def event(self, event: QEvent) -> bool:
        # Over the plot the readout says what a tooltip would; the tooltip explains the chart around it.
        over_plot = isinstance(event, QHelpEvent) and self.plot_rect().contains(QPointF(event.pos()))
        if event.type() == QEvent.Type.ToolTip and over_plot:
            QToolTip.hideText()
            event.ignore()
            return True
        return super().event(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        counter = self._counter
        values = self.values()
        top = max(values, default=0.0)
        scale = nice_ceiling(top)
        plot, small, bold = self._layout()
        palette = self.palette()
        text_color = palette.color(QPalette.ColorRole.WindowText)
        note_color = palette.color(QPalette.ColorRole.PlaceholderText)
        grid_color = palette.color(QPalette.ColorRole.Mid)

        painter = QPainter(self)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            # Axes: the baseline, a dotted line at the scale's top, and their figures in the gutter.
            painter.setPen(QPen(grid_color, 1.0))
            painter.drawLine(QPointF(plot.left(), plot.bottom()), QPointF(plot.right(), plot.bottom()))
            painter.setPen(QPen(grid_color, 1.0, Qt.PenStyle.DotLine))
            painter.drawLine(QPointF(plot.left(), plot.top()), QPointF(plot.right(), plot.top()))
            painter.setFont(small)
            painter.setPen(note_color)
            gutter = QRectF(0.0, 0.0, plot.left() - self.MARGIN, 0.0)
            line = QFontMetricsF(small).height()
            align_right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            painter.drawText(
                gutter.translated(0, plot.top() - line / 2).adjusted(0, 0, 0, line), align_right, format_scale(scale)
            )
            painter.drawText(gutter.translated(0, plot.bottom() - line / 2).adjusted(0, 0, 0, line), align_right, "0")
            footer = QRectF(plot.left(), plot.bottom() + 1, plot.width(), self.height() - plot.bottom() - 1)
            span = counter.span_secs if counter is not None else DEFAULT_SPAN_SECS
            painter.drawText(footer, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, span_note(span))
            painter.drawText(footer, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, "now")
            # The current rate, above the plot at the right.
            painter.setFont(bold)
            painter.setPen(text_color)
            header = QRectF(plot.left(), 0.0, plot.width(), plot.top())
            rate = format_rate(counter.rate()) if counter is not None else "– msg/s"
            painter.drawText(header, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, rate)
            # The series, if there is anything to show.
            if top > 0 and len(values) >= 2 and plot.width() > 1 and plot.height() > 1:
                step = plot.width() / (len(values) - 1)
                y_per = plot.height() / scale
                left, bottom = plot.left(), plot.bottom()
                points = [QPointF(left + i * step, bottom - v * y_per) for i, v in enumerate(values)]
                area = QPolygonF([QPointF(left, bottom), *points, QPointF(plot.right(), bottom)])
                line_color, fill_color = self.series_colors()
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(fill_color)
                painter.drawPolygon(area)
                painter.setPen(QPen(line_color, 1.5))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawPolyline(QPolygonF(points))
            if self._readout is not None and len(values) >= 2 and plot.width() > 1 and plot.height() > 1:
                self._paint_readout(painter, plot, values, scale, small)
        finally:
            painter.end()

    # ----- helpers ----------------------------------------------------------------------------------------
    def _paint_readout(self, painter: QPainter, plot: QRectF, values: list[float], scale: float, font: QFont) -> None:
        """A line at the readout's second, a dot on the series, and its words in a box beside them."""
        index = min(self._readout or 0, len(values) - 1)
        palette = self.palette()
        x = plot.left() + index * plot.width() / (len(values) - 1)
        y = plot.bottom() - min(values[index], scale) * plot.height() / scale
        accent = palette.color(QPalette.ColorRole.Highlight)
        painter.setPen(QPen(accent, 1.0))
        painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
        painter.setBrush(accent)
        painter.drawEllipse(QPointF(x, y), 2.5, 2.5)
        text = self.readout_text()
        painter.setFont(font)
        metrics = QFontMetricsF(font)
        box = QRectF(0.0, 0.0, metrics.horizontalAdvance(text) + 8, metrics.height() + 4)
        left = x + 6 if x + 6 + box.width() <= self.width() else x - 6 - box.width()
        box.moveTo(max(0.0, left), plot.top() + 2)
        painter.setPen(QPen(palette.color(QPalette.ColorRole.Mid), 1.0))
        painter.setBrush(palette.color(QPalette.ColorRole.ToolTipBase))
        painter.drawRect(box)
        painter.setPen(palette.color(QPalette.ColorRole.ToolTipText))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    def _layout(self) -> tuple[QRectF, QFont, QFont]:
        """The plot's rectangle and the fonts for the axis figures and the rate, for this size.

        The gutter fits the widest figure the scale usually takes, so the plot does not move when the scale does.
        """
        small = QFont(self.font())
        if small.pointSizeF() > 0:
            small.setPointSizeF(max(6.0, small.pointSizeF() * 0.85))
        else:
            small.setPixelSize(max(8, round(small.pixelSize() * 0.85)))
        bold = QFont(self.font())
        bold.setBold(True)
        small_metrics = QFontMetricsF(small)
        gutter = small_metrics.horizontalAdvance("500k") + 2 * self.MARGIN
        header = QFontMetricsF(bold).height() + 2
        footer = small_metrics.height() + 2
        m = self.MARGIN
        plot = QRectF(gutter, header, max(0.0, self.width() - gutter - m), max(0.0, self.height() - header - footer))
        return plot, small, bold

    def _tick(self) -> None:
        self.update()

    def _readout_changed(self) -> None:
        """Repaint, and tell a screen reader the readout's words (by keyboard only: a hover would chatter)."""
        if not self._readout_by_mouse:
            self._update_tooltip()
        self.update()

    def _update_tooltip(self) -> None:
        span = self._counter.span_secs if self._counter is not None else DEFAULT_SPAN_SECS
        explanation = (
            f"Messages received per second over the {span_note(span)}, newest at the right.\n"
            f"The figure above is the average over the last {RATE_SECS} whole seconds; "
            "the scale at the left is the peak of the seconds shown, rounded up."
        )
        self.setToolTip(explanation)
        keys = "Left and Right move a readout over the seconds; Home and End go to the oldest and the newest."
        readout = self.readout_text() if not self._readout_by_mouse else ""
        self.setAccessibleDescription(f"{readout}. {explanation} {keys}" if readout else f"{explanation} {keys}")
