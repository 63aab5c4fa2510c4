"""The window's own colours on a dark scheme: words coloured by the window (errors, warnings, outcomes, greyed rows),
the editor's margin and the rate chart take their dark shades, and every coloured word reads at a contrast of 4.5
or more on the palette's window and base. Offscreen Qt gives no colour-scheme hint, so the scheme here is the
application's palette (``status.dark_scheme`` then reads the palette), as on a platform that gives none."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from inspector.core.models import ItemResult, Outcome
from inspector.ui.context import AppContext
from inspector.ui.dialogs import AddTopicDialog
from inspector.ui.editor import GUTTER, MATCHED_BRACKET, JsonEditor
from inspector.ui.main_window import MainWindow
from inspector.ui.rate_chart import RateChart, RateCounter
from inspector.ui.services._common import muted, outcome_color, say
from inspector.ui.services.boomi.dialogs import ReplaceAllDialog, SubscriptionDialog
from inspector.ui.status import (
    BANNER_BACKGROUND,
    ERROR_TEXT,
    MUTED_TEXT,
    SUCCESS_TEXT,
    WARNING_TEXT,
    dark_scheme,
    retone,
    set_tone,
)
from inspector.ui.topic.publish_parts import ResultsModel, StatusLabel
from inspector.ui.topic.replay_jobs import JobsPanel
from tests.helpers import contrast

TONES = {"error": ERROR_TEXT, "warning": WARNING_TEXT, "success": SUCCESS_TEXT, "muted": MUTED_TEXT}
# Windows and bases of common schemes: Fusion's and Adwaita's light ones; dark ones from #1e1e1e to #3c3c3c.
LIGHT_BACKGROUNDS = ("#ffffff", "#f6f5f4", "#efefef")
DARK_BACKGROUNDS = ("#1e1e1e", "#242424", "#2b2b2b", "#353535", "#3c3c3c")
DARK_WINDOW, DARK_BASE, DARK_TEXT = "#303030", "#1e1e1e", "#eeeeee"


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, DARK_WINDOW),
        (QPalette.ColorRole.Button, DARK_WINDOW),
        (QPalette.ColorRole.Base, DARK_BASE),
        (QPalette.ColorRole.AlternateBase, DARK_WINDOW),
        (QPalette.ColorRole.WindowText, DARK_TEXT),
        (QPalette.ColorRole.Text, DARK_TEXT),
        (QPalette.ColorRole.ButtonText, DARK_TEXT),
    ):
        palette.setColor(role, QColor(colour))
    return palette


@pytest.fixture
def dark(qapp: QApplication) -> Iterator[QPalette]:
    """The application on a dark palette for the test, its own palette back after it."""
    light = QPalette(qapp.palette())
    palette = dark_palette()
    qapp.setPalette(palette)
    yield palette
    qapp.setPalette(light)
    qapp.processEvents()


def style_color(widget: QWidget) -> QColor:
    """The colour a ``color: ...`` style sheet gives a widget's words."""
    style = widget.styleSheet()
    assert style.startswith("color: "), style
    return QColor(style.removeprefix("color: ").strip())


@pytest.mark.parametrize("name", TONES)
def test_every_tone_reads_on_the_windows_and_bases_of_its_scheme(name: str) -> None:
    light, dark = TONES[name]
    for background in LIGHT_BACKGROUNDS:
        assert contrast(QColor(light), QColor(background)) >= 4.5, (name, light, background)
    for background in DARK_BACKGROUNDS:
        assert contrast(QColor(dark), QColor(background)) >= 4.5, (name, dark, background)


def test_a_dark_palette_is_the_dark_scheme(dark: QPalette) -> None:
    assert QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Unknown  # offscreen: no hint
    assert dark_scheme()


def test_the_window_s_words_take_their_dark_shade(qtbot: QtBot, dark: QPalette) -> None:
    dialog = AddTopicDialog(None)
    qtbot.addWidget(dialog)
    label = QLabel()
    qtbot.addWidget(label)
    say(label, "The service said no.", error=True)  # a service panel's error line
    subscription = SubscriptionDialog()
    qtbot.addWidget(subscription)
    subscription.destination_type.setCurrentText("EMAIL")
    replace_all = ReplaceAllDialog(None, "[]", "acct-1")
    qtbot.addWidget(replace_all)
    warning = next(w for w in replace_all.findChildren(QLabel) if w.text().startswith("The account's subscriptions"))
    jobs = JobsPanel(None, lambda destination: None)
    qtbot.addWidget(jobs)
    for widget, colors in (
        (dialog.error, ERROR_TEXT),
        (label, ERROR_TEXT),
        (subscription.destination_note, ERROR_TEXT),
        (warning, WARNING_TEXT),
        (jobs.notice, WARNING_TEXT),
    ):
        shown = style_color(widget)
        assert shown == QColor(colors[1])
        assert contrast(shown, dark.color(QPalette.ColorRole.Window)) >= 4.5
        assert contrast(shown, dark.color(QPalette.ColorRole.Base)) >= 4.5
    say(label, "All fine.")
    assert label.styleSheet() == ""  # the palette's own words again


def test_tables_colour_outcomes_and_greyed_rows_for_the_scheme(qtbot: QtBot, qapp: QApplication) -> None:
    model = ResultsModel()
    model.set_results([ItemResult.stored(0, "success", "m-1", None), ItemResult.stored(1, "failed", None, "bad")])

    def shades() -> list[QColor]:
        return [model.index(row, 1).data(Qt.ItemDataRole.ForegroundRole) for row in range(2)]

    assert shades() == [QColor(SUCCESS_TEXT[0]), QColor(ERROR_TEXT[0])]
    assert outcome_color(Outcome.UNKNOWN) == QColor(WARNING_TEXT[0])
    assert muted() == QColor(MUTED_TEXT[0])
    light = QPalette(qapp.palette())
    qapp.setPalette(dark_palette())
    try:
        assert shades() == [QColor(SUCCESS_TEXT[1]), QColor(ERROR_TEXT[1])]  # the view's next paint asks again
        assert outcome_color(Outcome.UNKNOWN) == QColor(WARNING_TEXT[1])
        assert muted() == QColor(MUTED_TEXT[1])
    finally:
        qapp.setPalette(light)


def test_the_publish_status_line_s_error_reads_on_a_dark_palette(qtbot: QtBot, dark: QPalette) -> None:
    label = StatusLabel()
    qtbot.addWidget(label)
    label.setText("item 2: not valid JSON")
    assert label.text_color() == dark.color(QPalette.ColorRole.WindowText)
    label.set_error(True)
    assert label.text_color() == QColor(ERROR_TEXT[1])
    assert contrast(label.text_color(), dark.color(QPalette.ColorRole.Window)) >= 4.5


def test_the_editor_s_margin_and_brackets_follow_the_palette(qtbot: QtBot, qapp: QApplication) -> None:
    editor = JsonEditor()
    qtbot.addWidget(editor)
    editor.resize(400, 200)
    editor.setPlainText('{"a": [1, 2]}')
    cursor = editor.textCursor()
    cursor.setPosition(0)  # on the "{": it and the last "}" are matched
    editor.setTextCursor(cursor)

    def margin_shade() -> QColor:
        image = editor._margin.grab().toImage()
        return image.pixelColor(1, image.height() - 2)  # below the last line: the gutter alone

    def bracket_shade() -> QColor:
        selections = editor.extraSelections()  # kept: the format lives as long as its selection
        return QColor(selections[0].format.background().color())

    assert margin_shade() == QColor(GUTTER[0])
    assert bracket_shade() == QColor(MATCHED_BRACKET[0])
    assert not editor._highlighter.dark
    light = QPalette(qapp.palette())
    qapp.setPalette(dark_palette())
    qapp.processEvents()  # the widgets hear of the application's new palette from the event loop
    try:
        assert margin_shade() == QColor(GUTTER[1])
        assert bracket_shade() == QColor(MATCHED_BRACKET[1])
        assert editor._highlighter.dark  # the JSON's shades too
        assert contrast(QColor(MUTED_TEXT[1]), QColor(GUTTER[1])) >= 4.5  # the line numbers
        assert contrast(QColor(DARK_TEXT), QColor(MATCHED_BRACKET[1])) >= 4.5
    finally:
        qapp.setPalette(light)


def test_the_rate_chart_fills_with_its_dark_shade(qtbot: QtBot, dark: QPalette) -> None:
    now = [1000.0]
    counter = RateCounter(span_secs=60, clock=lambda: now[0])
    for second in range(60):
        counter.add(10, now=1000.0 + second)
    now[0] = 1060.5
    chart = RateChart(counter)
    qtbot.addWidget(chart)
    chart.resize(300, 100)
    assert chart.series_colors() == (RateChart.DARK_LINE_COLOR, RateChart.DARK_FILL_COLOR)
    image = chart.grab().toImage()
    plot = chart.plot_rect()
    ratio = image.devicePixelRatio()
    below_line = image.pixelColor(int(plot.center().x() * ratio), int((plot.bottom() - 3) * ratio))
    assert below_line == RateChart.DARK_FILL_COLOR
    assert contrast(RateChart.DARK_LINE_COLOR, dark.color(QPalette.ColorRole.Window)) >= 4.5
    assert contrast(RateChart.DARK_LINE_COLOR, RateChart.DARK_FILL_COLOR) >= 4.5


def test_a_change_of_scheme_recolours_the_words_already_shown(
    qtbot: QtBot, qapp: QApplication, ctx: AppContext
) -> None:
    ctx.workspace.notice = "The saved workspace could not be read (bad JSON)."  # a banner, coloured by the window
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    dialog = AddTopicDialog(window)  # a dialog of the window, open while the scheme changes
    assert style_color(dialog.error) == QColor(ERROR_TEXT[0])
    light = QPalette(qapp.palette())
    qapp.setPalette(dark_palette())
    try:
        window.apply_color_scheme()  # what the window does on the scheme's signal or a palette change
        assert style_color(dialog.error) == QColor(ERROR_TEXT[1])
        assert BANNER_BACKGROUND[1] in window.notices.workspace_notice.styleSheet()
    finally:
        qapp.setPalette(light)
    window.apply_color_scheme()
    assert style_color(dialog.error) == QColor(ERROR_TEXT[0])


def test_retone_skips_words_given_back_to_the_palette(qtbot: QtBot) -> None:
    root = QWidget()
    qtbot.addWidget(root)
    label = QLabel(root)
    set_tone(label, WARNING_TEXT, dark=False)
    set_tone(label, None)
    retone(root, dark=True)
    assert label.styleSheet() == ""
