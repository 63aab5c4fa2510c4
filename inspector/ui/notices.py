"""The notes above the sidebar and the tabs: the demo's banner, the keyring's warning (known once the keyring has
been looked up, after the window is shown; never in the demo, which keeps its tokens in memory), the
workspace's notice (a settings file that could not be read) and the archive's notice (where the message archive
is and how to turn it off, the first time: ``inspector.ui.archive.actions``). Each folds to one line ("Show less")
or is dismissed ("×") until the next start, and takes the colours of the system's light or dark scheme
(``set_dark``)."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout

from inspector.ui import later
from inspector.ui.status import BANNER_BACKGROUND, BANNER_TEXT
from inspector.ui.widgets import escape_html, set_text


def first_sentence(text: str) -> str:
    """What a folded banner shows: its words up to the end of the first sentence (all of them when shorter)."""
    line = " ".join(text.split())
    end = line.find(". ")
    return line[: end + 1] if end >= 0 else line


class Banner(QFrame):
    """A note: its words, "Show less" / "Show more" (one line, or all of it) and "×" (dismissed until the next
    start). Hidden while it has nothing to say; its label and buttons are made when it first has something to say
    (most starts show no banner: the window appears sooner)."""

    def __init__(self, name: str, key: str) -> None:
        super().__init__()
        self.name = name
        self.setObjectName(f"banner-{key}")
        self.setAccessibleName(name)
        self._text = ""
        self.folded = False
        self.dismissed = False
        self._dark = False
        self._plain = False
        self._parts: tuple[QLabel, QToolButton, QToolButton] | None = None
        self.hide()

    def _made(self) -> tuple[QLabel, QToolButton, QToolButton]:
        if self._parts is None:
            label = QLabel("")
            label.setWordWrap(True)
            if self._plain:
                label.setTextFormat(later.Qt.TextFormat.PlainText)
            fold = QToolButton()
            fold.setAutoRaise(True)
            fold.clicked.connect(lambda: self.fold(not self.folded))
            close = QToolButton()
            close.setAutoRaise(True)
            close.setText("×")
            close.setAccessibleName(f"Dismiss the {self.name.lower()}")
            close.setToolTip(f"Dismiss the {self.name.lower()} until the next start")
            close.clicked.connect(self.dismiss)
            row = QHBoxLayout(self)
            row.setContentsMargins(8, 4, 4, 4)
            row.addWidget(label, 1)
            row.addWidget(fold)
            row.addWidget(close)
            self._parts = label, fold, close
            self._show_fold_words()
            self.set_dark(self._dark)
        return self._parts

    @property
    def label(self) -> QLabel:
        return self._made()[0]

    @property
    def fold_button(self) -> QToolButton:
        return self._made()[1]

    @property
    def close_button(self) -> QToolButton:
        return self._made()[2]

    def text(self) -> str:
        """All of the banner's words (also while folded)."""
        return self._text

    def show_text(self, text: str) -> None:
        """Say ``text`` (hide the banner when empty); a dismissed banner stays hidden."""
        self._text = text
        if text or self._parts is not None:
            self._show_words()
        self.setVisible(bool(text) and not self.dismissed)

    def set_plain_text(self) -> None:
        """Its words as plain text (once the window is shown: the format's enum is the Qt namespace's)."""
        self._plain = True
        if self._parts is not None:
            self._parts[0].setTextFormat(later.Qt.TextFormat.PlainText)

    def fold(self, folded: bool) -> None:
        """One line (the first sentence, cut at the window's edge), or every word."""
        self.folded = folded
        self.label.setWordWrap(not folded)
        # folded, the line never widens the window: it is cut at the edge instead
        policy = later.QSizePolicy.Policy
        self.label.setSizePolicy(policy.Ignored if folded else policy.Preferred, policy.Preferred)
        row = self.layout()
        if row is not None:  # folded, it is one line high: the tabs below keep their room
            row.setContentsMargins(8, 0 if folded else 4, 4, 0 if folded else 4)
        self._show_words()
        self._show_fold_words()

    def dismiss(self) -> None:
        self.dismissed = True
        self.hide()

    def _show_words(self) -> None:
        set_text(self.label, first_sentence(self._text) if self.folded else self._text)

    def _show_fold_words(self) -> None:
        words = "Show more" if self.folded else "Show less"
        self.fold_button.setText(words)
        self.fold_button.setAccessibleName(words)
        self.fold_button.setToolTip("Show the whole notice" if self.folded else "Fold the notice to one line")

    def set_dark(self, dark: bool) -> None:
        """The banner's colours on the light or the dark scheme."""
        self._dark = dark
        if self._parts is None:
            return
        background, text = BANNER_BACKGROUND[dark], BANNER_TEXT[dark]
        name = self.objectName()
        self.setStyleSheet(
            f"QFrame#{name} {{ background: {background}; border-radius: 3px; }}"
            f"QFrame#{name} QLabel, QFrame#{name} QToolButton {{ color: {text}; }}"
        )


class Notices:
    """The four notes, added to ``layout``; each is hidden while it has nothing to say."""

    def __init__(self, layout: QVBoxLayout, keyring_warning: str, workspace_notice: str) -> None:
        self.demo_banner = Banner("Demo notice", "demo")
        self.keyring_warning = Banner("Keyring warning", "keyring")
        self.workspace_notice = Banner("Workspace notice", "workspace")
        self.archive_notice = Banner("Archive notice", "archive")
        self.keyring_warning.show_text(keyring_warning)
        self.workspace_notice.show_text(workspace_notice)
        for banner in self.banners():
            layout.addWidget(banner)

    def banners(self) -> tuple[Banner, Banner, Banner, Banner]:
        return self.demo_banner, self.keyring_warning, self.workspace_notice, self.archive_notice

    def set_plain_text(self) -> None:
        """The warning and the notices as plain text: once the window is shown (a Qt enum before the first frame
        costs them all, see ``inspector.ui.sidebar``)."""
        for banner in (self.keyring_warning, self.workspace_notice, self.archive_notice):
            banner.set_plain_text()

    def show_archive(self, text: str) -> None:
        """The archive's notice: where the message archive is and how to turn it off."""
        self.archive_notice.show_text(text)

    def hide_archive(self) -> None:
        self.archive_notice.show_text("")

    def set_dark(self, dark: bool) -> None:
        for banner in self.banners():
            banner.set_dark(dark)

    def show_keyring_warning(self, text: str) -> None:
        self.keyring_warning.show_text(text)

    def show_demo(self, url: str) -> None:
        self.demo_banner.show_text(
            f"<b>Demo mode</b> — a local emulator at {escape_html(url)} with sample topics and live sample traffic. "
            "Nothing leaves this machine; the emulator's data is deleted when you quit. Profiles and tabs you add "
            "here are kept for the next demo only, never mixed with your own."
        )
