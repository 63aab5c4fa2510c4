"""The notes above the sidebar and the tabs: the demo's banner, the keyring's warning (known once the keyring has
been looked up, after the window is shown) and the workspace's notice (a settings file that could not be read)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout

from inspector.ui import later
from inspector.ui.widgets import escape_html, set_text


class Notices:
    """The three notes, added to ``layout``; each is hidden while it has nothing to say."""

    def __init__(self, layout: QVBoxLayout, keyring_warning: str, workspace_notice: str) -> None:
        self.demo_banner = QLabel("")
        self.demo_banner.setStyleSheet("background: #fff4c2; color: #5c4400; padding: 6px; border-radius: 3px;")
        self.demo_banner.setWordWrap(True)
        self.demo_banner.hide()
        self.keyring_warning = QLabel(keyring_warning)
        self.keyring_warning.setWordWrap(True)
        self.keyring_warning.setStyleSheet("color: #9a6700")
        self.keyring_warning.setVisible(bool(keyring_warning))
        self.workspace_notice = QLabel(workspace_notice)
        self.workspace_notice.setVisible(bool(workspace_notice))
        for label in (self.demo_banner, self.keyring_warning, self.workspace_notice):
            layout.addWidget(label)

    def set_plain_text(self) -> None:
        """The warning and the notice as plain text: once the window is shown (a Qt enum before the first frame
        costs them all, see ``inspector.ui.sidebar``)."""
        for label in (self.keyring_warning, self.workspace_notice):
            label.setTextFormat(later.Qt.TextFormat.PlainText)

    def show_keyring_warning(self, text: str) -> None:
        set_text(self.keyring_warning, text)
        self.keyring_warning.setVisible(bool(text))

    def show_demo(self, url: str) -> None:
        self.demo_banner.setText(
            f"<b>Demo mode</b> — a local emulator at {escape_html(url)} with sample topics and live sample traffic. "
            "Nothing leaves this machine, and its data is deleted when you quit."
        )
        self.demo_banner.show()
