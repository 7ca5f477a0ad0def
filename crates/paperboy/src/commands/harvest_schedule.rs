//! `serve`'s scheduled harvests: the `harvest_sets` from `arxiv_oai_url`, at start and
//! then every `harvest_interval_hours`, each continuing from its last harvest.

use std::time::Duration;

use anyhow::bail;
use paperboy_ingest::harvest::{MetadataPrefix, harvest_sets};
use paperboy_store::Store;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::Settings;

/// Starts the schedule, or returns `None` when `harvest_sets` is empty. The task ends
/// when `stop` turns true; a harvest cut short that way resumes at the next start.
pub fn spawn(
    settings: &Settings,
    store: Store,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<Option<JoinHandle<()>>> {
    if settings.harvest_sets.is_empty() {
        return Ok(None);
    }
    let hours = settings.harvest_interval_hours;
    if !hours.is_finite() || hours <= 0.0 {
        bail!("harvest_interval_hours must be a positive number of hours, not {hours}");
    }
    let every = Duration::from_secs_f64(hours * 3600.0);
    let client = super::polite_client(settings)?;
    let base_url = settings.arxiv_oai_url.clone();
    let sets = settings.harvest_sets.clone();
    Ok(Some(tokio::spawn(async move {
        loop {
            let run = harvest_sets(&store, &client, &base_url, MetadataPrefix::Arxiv, &sets);
            tokio::select! {
                outcomes = run => {
                    for (set, outcome) in outcomes {
                        match outcome {
                            Ok(r) => tracing::info!(
                                "harvested set {set}: {} records, {} new papers",
                                r.records,
                                r.written.papers_inserted
                            ),
                            Err(e) => tracing::warn!("harvesting set {set} failed: {e}"),
                        }
                    }
                }
                _ = stop.wait_for(|stopped| *stopped) => return,
            }
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = stop.wait_for(|stopped| *stopped) => return,
            }
        }
    })))
}
