"""The patient chat as Gradio Blocks: the full page (/) and the compact embed (/embed).

Layout, top to bottom: clinic title and intro (full page only), the disclaimer
(always visible), the conversation (a polite live region; each answer carries its
escalation alert, [n] markers and a collapsible Sources list), example questions,
and the labelled question box with its Ask button.

The conversation lives in this (web) process in a per-session `Conversation`; the browser
sends only the new question, and answers come from the worker processes (service.py), so
a session needs no sticky routing on one host. Every event counts against the client's
address and the browser session (limits.py); over the limit, the chat says so politely.
Every question goes through the one answer path with the earlier turns, so follow-ups
such as "what about surgery?" use the conversation.
`/chat` (api_name="chat") is the same path for `gradio_client`: it returns the
answer object (docs/interfaces.md) and keeps the conversation per client session.
"""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import gradio as gr
import orjson

from ..errors import ChatbotError
from .feedback import FeedbackRecord, FeedbackStore
from .limits import RateLimiter
from .render import answer_message, notice_message, user_message
from .service import AnswerService
from .texts import UiTexts

STATE_TTL_SECONDS = 4 * 3600  # a forgotten tab's conversation is dropped after this


@dataclass(frozen=True)
class AnswerRef:
    """What feedback on one shown answer may store."""

    answer_id: str
    chunk_ids: tuple[str, ...]
    question: str


@dataclass
class Conversation:
    """One browser session: what the engine sees, what the chat shows, which answer is where."""

    turns: list[dict[str, str]] = field(default_factory=list)  # plain text, for engine.answer(history=)
    messages: list[dict[str, str]] = field(default_factory=list)  # the chat's messages (escaped Markdown)
    answers: dict[int, AnswerRef] = field(default_factory=dict)  # chat message index -> answer
    rated: set[str] = field(default_factory=set)  # answer ids this session gave feedback on

    def add_question(self, text: str) -> None:
        self.messages.append({"role": "user", "content": user_message(text)})

    def add_answer(self, question: str, reply: dict[str, Any], shown: str) -> None:
        self.messages.append({"role": "assistant", "content": shown})
        self.answers[len(self.messages) - 1] = AnswerRef(
            answer_id=str(reply.get("id", "")),
            chunk_ids=tuple(str(c.get("chunk_id", "")) for c in reply.get("citations", [])),
            question=question,
        )
        self.turns.append({"role": "user", "content": question})
        self.turns.append({"role": "assistant", "content": str(reply.get("body") or reply.get("answer") or "")})

    def add_notice(self, shown: str) -> None:
        self.messages.append({"role": "assistant", "content": shown})


def client_of(request: gr.Request | None) -> str:
    client = getattr(request, "client", None)
    return str(getattr(client, "host", None) or "unknown")


def limit_keys(request: gr.Request | None) -> tuple[str, ...]:
    """A chat event counts against its client's address and its browser session."""
    session = getattr(request, "session_hash", None)
    return (client_of(request), f"session:{session}") if session else (client_of(request),)


def verdict_of(liked: Any) -> str | None:
    if liked is True or liked == "Like":
        return "like"
    if liked is False or liked == "Dislike":
        return "dislike"
    return None


class ChatHandlers:
    """The chat's event functions; thin wrappers around the one answer path (service.py)."""

    def __init__(
        self, service: AnswerService, texts: UiTexts, limiter: RateLimiter, feedback: FeedbackStore | None
    ) -> None:
        self.service = service
        self.texts = texts
        self.limiter = limiter
        self.feedback = feedback

    async def _answer(self, text: str, turns: list[dict[str, str]]) -> dict[str, Any] | str:
        """The answer object, or the polite line to show instead (busy or unavailable)."""
        try:
            return orjson.loads(await self.service.answer(text, history=turns))
        except ChatbotError:
            return self.texts.busy

    async def ask(
        self, message: str, conversation: Conversation | None, request: gr.Request | None = None
    ) -> AsyncIterator[tuple[Any, Any, Conversation]]:
        """Show the question at once, then the answer."""
        conversation = conversation or Conversation()
        text = message if isinstance(message, str) else ""
        if not text.strip():
            yield gr.skip(), gr.skip(), conversation
            return
        conversation.add_question(text)
        yield list(conversation.messages), "", conversation
        if self.limiter.check(*limit_keys(request)) is not None:
            conversation.add_notice(notice_message(self.texts.too_many_requests))
        else:
            reply = await self._answer(text, list(conversation.turns))
            if isinstance(reply, str):
                conversation.add_notice(notice_message(reply))
            else:
                conversation.add_answer(text, reply, answer_message(reply, self.texts))
        yield list(conversation.messages), gr.skip(), conversation

    async def ask_example(
        self, conversation: Conversation | None, event: gr.SelectData, request: gr.Request | None = None
    ) -> AsyncIterator[tuple[Any, Any, Conversation]]:
        value = event.value
        text = str(value.get("text", "")) if isinstance(value, dict) else str(value or "")
        async for update in self.ask(text, conversation, request):
            yield update

    async def api_chat(
        self, message: str, turns: list[dict[str, str]] | None, request: gr.Request | None = None
    ) -> tuple[dict[str, Any], list[dict[str, str]]]:
        """`/chat` for gradio_client: the answer object; the conversation is kept per client
        session. Over the limit or busy, `{"error", "detail"}` comes back instead."""
        turns = list(turns or [])
        if self.limiter.check(*limit_keys(request)) is not None:
            return {"error": "too_many_requests", "detail": self.texts.too_many_requests}, turns
        reply = await self._answer(message if isinstance(message, str) else "", list(turns))
        if isinstance(reply, str):
            return {"error": "unavailable", "detail": reply}, turns
        return reply, [
            *turns,
            {"role": "user", "content": str(reply.get("question", message))},
            {"role": "assistant", "content": str(reply.get("body") or reply.get("answer") or "")},
        ]

    def like(self, conversation: Conversation | None, event: gr.LikeData, request: gr.Request | None = None) -> None:
        """One verdict per answer and session, within the rate limit; silently ignored otherwise."""
        if self.feedback is None or conversation is None:
            return
        index = event.index[0] if isinstance(event.index, (list, tuple)) else event.index
        try:
            ref = conversation.answers.get(int(index))
        except (TypeError, ValueError):
            return
        verdict = verdict_of(event.liked)
        if ref is None or verdict is None or not ref.answer_id or ref.answer_id in conversation.rated:
            return
        if self.limiter.check(*limit_keys(request)) is not None:
            return
        conversation.rated.add(ref.answer_id)
        session = getattr(request, "session_hash", None) or ""
        self.feedback.record(FeedbackRecord(ref.answer_id, ref.chunk_ids, verdict, question=ref.question), session)
        gr.Info(self.texts.feedback_thanks)

    @staticmethod
    def clear() -> tuple[list[dict[str, str]], Conversation]:
        return [], Conversation()


def disclaimer_html(heading: str, disclaimer: str) -> str:
    return (
        f'<section id="disclaimer-text" aria-label="{html.escape(heading)}">'
        f"<p><strong>{html.escape(heading)}:</strong> {html.escape(disclaimer)}</p></section>"
    )


def build_chat(handlers: ChatHandlers, disclaimer: str, *, compact: bool, concurrency: int) -> gr.Blocks:
    texts = handlers.texts
    with gr.Blocks(title=texts.title, analytics_enabled=False, fill_height=compact) as blocks:
        conversation = gr.State(None, time_to_live=STATE_TTL_SECONDS)
        if not compact:
            gr.HTML(f"<h1>{html.escape(texts.title)}</h1>", elem_id="clinic-title")
            gr.Markdown(texts.intro, elem_id="intro")
        else:
            gr.HTML(f'<p class="embed-title">{html.escape(texts.title)}</p>', elem_id="clinic-title")
        gr.HTML(disclaimer_html(texts.disclaimer_heading, disclaimer), elem_id="disclaimer")
        chatbot = gr.Chatbot(
            label=texts.conversation_label,
            show_label=False,
            elem_id="chat",
            layout="panel",
            height=300 if compact else 520,
            min_height=240,
            latex_delimiters=[],
            sanitize_html=True,
            allow_tags=False,
            render_markdown=True,
            buttons=["copy"],
            feedback_options=("Like", "Dislike"),
            group_consecutive_messages=False,
            examples=[{"text": q} for q in texts.examples],
            autoscroll=True,
        )
        with gr.Row(equal_height=False, elem_id="ask-row"):
            question = gr.Textbox(
                label=texts.question_label,
                placeholder=texts.question_placeholder,
                lines=1,
                max_lines=6,
                max_length=handlers.service.settings.max_question_chars,
                autofocus=False,
                submit_btn=False,
                elem_id="question",
                scale=5,
            )
            ask_button = gr.Button(texts.ask_button, variant="primary", elem_id="ask", scale=1, min_width=80)

        chat_outputs = [chatbot, question, conversation]
        gr.on(
            [question.submit, ask_button.click],
            handlers.ask,
            inputs=[question, conversation],
            outputs=chat_outputs,
            api_visibility="private",
            show_progress="minimal",
            trigger_mode="once",
        )
        chatbot.example_select(
            handlers.ask_example,
            inputs=[conversation],
            outputs=chat_outputs,
            api_visibility="private",
            show_progress="minimal",
        )
        chatbot.clear(handlers.clear, outputs=[chatbot, conversation], api_visibility="private")  # through the queue: /run is refused (routes.py)
        if handlers.feedback is not None:  # the like/dislike buttons appear only with a listener
            chatbot.like(handlers.like, inputs=[conversation], outputs=None, api_visibility="private")

        # /chat for gradio_client: message in, answer object out, conversation kept per session
        api_turns = gr.State(None, time_to_live=STATE_TTL_SECONDS)
        api_message = gr.Textbox(label="message", visible=False)
        api_answer = gr.JSON(label="answer", visible=False)
        api_trigger = gr.Button(visible=False)
        api_trigger.click(
            handlers.api_chat,
            inputs=[api_message, api_turns],
            outputs=[api_answer, api_turns],
            api_name="chat",
            api_description="Ask one question; returns the answer object (docs/interfaces.md). "
            "Follow-up questions use this client session's conversation (reset_session() to start again).",
        )
    blocks.queue(default_concurrency_limit=max(1, concurrency))
    return blocks
