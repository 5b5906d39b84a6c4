import pytest
from langchain_core.documents import Document

from retrieval.langchain_retriever import SourceRetriever

pytestmark = pytest.mark.integration


def test_retriever_returns_cited_documents(engine):
    docs = SourceRetriever(engine=engine, k=3).invoke("what's the max paracetamol a day?")
    assert len(docs) == 3 and all(isinstance(d, Document) for d in docs)
    assert docs[0].metadata["section"] == "Drugs for Symptomatic Relief › 5. Acetaminophen (Analgesic)"
    assert {"chunk_id", "document", "score", "sources"} <= set(docs[0].metadata)
