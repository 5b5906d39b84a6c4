"""Every failure a person can act on, in one place.

Each is a `ChatbotError` whose message is one line saying what is wrong and what to
run. The CLI prints it as `error: <message>` and exits 2; the web app answers 503 with
`{"error": <code>, "detail": <message>}`; nothing prints a traceback for these.
See docs/interfaces.md ("Errors").
"""

from __future__ import annotations


class ChatbotError(RuntimeError):
    """A failure with a one-line message for the person running the assistant."""

    code = "unavailable"


class IndexUnavailable(ChatbotError):
    """No index, a stale or corrupt one, or a corpus with nothing to index."""

    code = "index_unavailable"


class ModelUnavailable(ChatbotError):
    """The encoder or a learned artefact is missing, corrupt or built for another encoder."""

    code = "model_unavailable"


class SettingsError(ChatbotError, ValueError):
    """settings.toml or a CHATBOT_* variable holds something invalid."""

    code = "bad_settings"


class RuleFileError(ChatbotError, ValueError):
    """A data file of rules or messages cannot be read."""

    code = "bad_rules"
