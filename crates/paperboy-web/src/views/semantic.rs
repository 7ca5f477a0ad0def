//! What pages say about semantic search: off, still embedding, or ready.

use paperboy_search::engine::SearchEngine;

/// How far semantic search is, as pages tell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SemanticStatus {
    /// No embedder configured, or it failed to start.
    Off,
    /// The server is fetching or loading the model.
    Starting,
    /// Some papers have no vector yet.
    Embedding {
        /// Papers with a vector.
        embedded: u64,
        /// Papers in the search index.
        total: u64,
    },
    /// Every indexed paper has a vector.
    Ready,
}

impl SemanticStatus {
    /// The status of `engine` now.
    pub(crate) fn of(engine: &SearchEngine) -> Self {
        let Some(semantic) = engine.semantic() else {
            return if engine.is_starting() {
                Self::Starting
            } else {
                Self::Off
            };
        };
        let embedded = semantic.len() as u64;
        let total = engine.keyword().len();
        if embedded < total {
            Self::Embedding { embedded, total }
        } else {
            Self::Ready
        }
    }

    /// Why an explicit semantic search cannot be answered now, or `None` when it can.
    pub(crate) fn unavailable(self) -> Option<String> {
        match self {
            Self::Off => Some(
                "semantic search is off on this instance (no embedder is configured); \
                 use mode=keyword or mode=hybrid"
                    .into(),
            ),
            Self::Starting => Some(
                "semantic search is starting (the embedding model is being fetched or \
                 loaded); try again shortly"
                    .into(),
            ),
            Self::Embedding { .. } | Self::Ready => None,
        }
    }

    /// `off`, `starting`, `embedding` or `ready`, for `/readyz`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::Starting => "starting",
            Self::Embedding { .. } => "embedding",
            Self::Ready => "ready",
        }
    }

    /// What a search page says about it, or `None` when all is well.
    pub(crate) fn search_notice(self) -> Option<String> {
        match self {
            Self::Off => Some(
                "Keyword search only: no embedder is configured, so results match your \
                 words, not their meaning."
                    .into(),
            ),
            Self::Starting => Some(
                "Keyword search for now: the embedding model is still being fetched or \
                 loaded; semantic search comes on by itself."
                    .into(),
            ),
            Self::Embedding { embedded, total } => Some(format!(
                "{embedded} of {total} papers embedded so far: semantic search does not \
                 see the others yet, keyword search does."
            )),
            Self::Ready => None,
        }
    }

    /// Why a paper page shows no similar papers.
    pub(crate) fn no_similar_papers(self) -> String {
        match self {
            Self::Off => "Similar papers are found by meaning, and semantic search is off: \
                          no embedder is configured."
                .into(),
            Self::Starting => "Similar papers are found by meaning; the embedding model is \
                               still being loaded."
                .into(),
            Self::Embedding { embedded, total } => format!(
                "No similar papers yet: {embedded} of {total} papers embedded so far, \
                 and this one may not be among them."
            ),
            Self::Ready => "No similar papers found.".into(),
        }
    }
}
