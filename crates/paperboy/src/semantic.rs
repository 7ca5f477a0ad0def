//! Opening semantic search for a data directory: resolve the `embedder` setting,
//! (for `serve`) fetch the default model on first start, load the embedder and the
//! stored vectors.

use std::sync::Arc;

use anyhow::Context;
use paperboy_embed::{Embedder, EmbedderSetting, FetchOutcome, fetch_default_model};
use paperboy_search::backlog::load_vectors;
use paperboy_search::engine::Semantic;
use paperboy_store::Store;

use crate::config::Settings;

/// Whether a missing default model may be downloaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fetch {
    /// Download it when the setting is the default and the model is absent (`serve`).
    IfMissing,
    /// Never download (`embed`, `eval`: the user fetches it explicitly).
    Never,
}

/// The embedder the settings name, or `None` for keyword-only search.
pub async fn open_embedder(settings: &Settings, fetch: Fetch) -> anyhow::Result<Option<Embedder>> {
    let explicit = Some(settings.embedder.as_str()).filter(|s| !s.trim().is_empty());
    if explicit.is_none() && fetch == Fetch::IfMissing {
        match fetch_default_model(&settings.data_dir).await {
            Ok(FetchOutcome::Installed { dir, from }) => {
                tracing::info!(
                    "installed the embedding model from {from} into {}",
                    dir.display()
                )
            }
            Ok(FetchOutcome::AlreadyThere(_)) => {}
            Err(e) => {
                tracing::warn!("semantic search is off: {e}");
                return Ok(None);
            }
        }
    }
    let setting =
        EmbedderSetting::resolve(explicit, &settings.data_dir).context("setting embedder")?;
    let embedder = Embedder::open(&setting)
        .await
        .with_context(|| format!("opening the embedder {setting}"))?;
    Ok(match embedder {
        Embedder::None => None,
        embedder => Some(embedder),
    })
}

/// Semantic search over the vectors stored for `embedder`'s model.
pub async fn open_semantic(store: &Store, embedder: Embedder) -> anyhow::Result<Arc<Semantic>> {
    let (Some(model), Some(dim)) = (embedder.model_name(), embedder.dimension()) else {
        anyhow::bail!("the embedder names no model");
    };
    let vectors = load_vectors(store, model, dim)
        .await
        .context("loading stored vectors")?;
    tracing::info!(model, vectors = vectors.len(), "semantic search ready");
    Ok(Arc::new(Semantic::new(embedder, vectors)))
}
