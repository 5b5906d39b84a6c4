"""A LangChain retriever over the same hybrid search the chatbot uses.

    from retrieval import get_engine
    from retrieval.langchain_retriever import SourceRetriever

    retriever = SourceRetriever(engine=get_engine(), k=5)
    docs = retriever.invoke("is a CT better for bone spurs?")

Each Document carries the passage text as page_content and chunk_id, document,
section, score and sources in metadata, so a chain can cite what it used.
Search only: the safety checks and the fixed disclaimer belong to Engine.answer().
"""

from __future__ import annotations

import dataclasses
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from .models import Retrieved


class SourceRetriever(BaseRetriever):
    engine: Any
    k: int = 5

    model_config = ConfigDict(arbitrary_types_allowed=True)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        found = [Retrieved.of(p) for p in self.engine.search(query, self.k)]
        return [
            Document(page_content=r.text, metadata={k: v for k, v in dataclasses.asdict(r).items() if k != "text"})
            for r in found
        ]
