//! Opening semantic search: resolve the `embedder` setting, (for `serve`) fetch the
//! default model on first start, load the embedder and the stored vectors.

use std::sync::Arc;

use paperboy_embed::{Embedder, EmbedderSetting, FetchOutcome, fetch_default_model};
use paperboy_search::backlog::load_vectors;
use paperboy_search::engine::Semantic;
use paperboy_store::{ChangeCursor, Store};

use crate::{AppError, Config};

/// Whether a missing default model may be downloaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fetch {
    /// Download it when the setting is the default and the model is absent (`serve`).
    IfMissing,
    /// Never download (`embed`, `eval`: the user fetches it explicitly).
    Never,
}

/// The embedder the config names, or `None` for keyword-only search (`none`, or
/// the default model absent and not fetched).
pub async fn open_embedder(config: &Config, fetch: Fetch) -> Result<Option<Embedder>, AppError> {
    let setting = match &config.embedder {
        Some(setting) => setting.clone(),
        None => {
            if fetch == Fetch::IfMissing {
                match fetch_default_model(&config.data_dir).await {
                    Ok(FetchOutcome::Installed { dir, from }) => tracing::info!(
                        "installed the embedding model from {from} into {}",
                        dir.display()
                    ),
                    Ok(FetchOutcome::AlreadyThere(_)) => {}
                    Err(e) => {
                        tracing::warn!(
                            "semantic search is off: {}; `paperboy model fetch` tries again, \
                             or set embedder = local:DIR, http:URL or none",
                            e.brief()
                        );
                        return Ok(None);
                    }
                }
            }
            EmbedderSetting::resolve(None, &config.data_dir)?
        }
    };
    Ok(match Embedder::open(&setting).await? {
        Embedder::None => None,
        embedder => Some(embedder),
    })
}

/// Semantic search over the vectors stored for `embedder`'s model, and the cursor
/// of the embeddings feed to follow from.
pub async fn open_semantic(
    store: &Store,
    embedder: Embedder,
) -> Result<(Arc<Semantic>, ChangeCursor), AppError> {
    let (Some(model), Some(dim)) = (embedder.model_name(), embedder.dimension()) else {
        return Err(AppError::NoModel);
    };
    let (vectors, cursor) = load_vectors(store, model, dim).await?;
    tracing::info!(model, vectors = vectors.len(), "semantic search ready");
    Ok((Arc::new(Semantic::new(embedder, vectors)), cursor))
}
