//! `paperboy eval`: search quality on a query set, per ranker.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use paperboy_search::engine::{SearchEngine, SearchMode};
use paperboy_search::eval::{ModeReport, evaluate, parse_tsv};

use paperboy_app::Config;
use paperboy_app::semantic::{Fetch, open_embedder, open_semantic};

/// Arguments of `eval`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// TSV: a header line, then `query<TAB>relevant ids (comma-separated)<TAB>kind`.
    file: PathBuf,
    /// Print the figures as one JSON object.
    #[arg(long)]
    json: bool,
    /// Also print one line per query and ranker: the rank and score of its first
    /// relevant paper and the score of its first result (tab-separated).
    #[arg(long)]
    per_query: bool,
}

/// Runs `eval`: recall@10, MRR and nDCG@10 of keyword, semantic and hybrid search.
pub async fn run(args: Args, config: &Config) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("reading {}", args.file.display()))?;
    let queries = parse_tsv(&text).map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
    let store = super::open_store(config).await?;
    super::reindex::catch_up_after_write(config, &store).await?;
    let keyword = super::reindex::open_index(config)?;
    let semantic = match open_embedder(config, Fetch::Never).await? {
        Some(embedder) => Some(open_semantic(&store, embedder).await?.0),
        None => None,
    };
    let mut modes = vec![SearchMode::Keyword];
    if let Some(semantic) = &semantic {
        let model = semantic
            .embedder()
            .model_name()
            .unwrap_or_default()
            .to_owned();
        let waiting = store
            .backlog_len(&paperboy_store::Backlog::Embeddings { model: &model })
            .await?;
        if waiting > 0 {
            eprintln!(
                "warning: {waiting} papers have no vector yet (run `paperboy embed`); semantic figures undercount"
            );
        }
        modes.extend([SearchMode::Semantic, SearchMode::Hybrid]);
    } else {
        eprintln!("no embedder configured: keyword figures only");
    }
    let engine = Arc::new(SearchEngine::new(store, keyword, semantic));
    let mut reports: Vec<ModeReport> = Vec::new();
    for mode in modes {
        reports.push(evaluate(&engine, &queries, mode).await?);
    }
    if args.json {
        println!("{}", serde_json::to_string(&reports)?);
    } else {
        print_table(&reports, queries.len());
        if args.per_query {
            print_per_query(&reports);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_table(reports: &[ModeReport], queries: usize) {
    println!("{queries} queries (halves fixed by a hash of each query's text)\n");
    println!(
        "{:<10} {:<12} {:>7} {:>10} {:>7} {:>8} {:>6}",
        "mode", "set", "queries", "recall@10", "MRR", "nDCG@10", "empty"
    );
    for report in reports {
        let rows = std::iter::once(("all", &report.overall))
            .chain(report.by_half.iter().map(|(h, m)| (*h, m)))
            .chain(report.by_kind.iter().map(|(k, m)| (k.as_str(), m)));
        for (set, m) in rows {
            let figure = |x: f64| {
                if m.answerable == 0 {
                    "-".to_owned()
                } else {
                    format!("{x:.3}")
                }
            };
            println!(
                "{:<10} {:<12} {:>7} {:>10} {:>7} {:>8} {:>6.3}",
                report.mode,
                set,
                m.queries,
                figure(m.recall_at_10),
                figure(m.mrr),
                figure(m.ndcg_at_10),
                m.empty
            );
        }
        println!(
            "{:<10} median {:.1} ms per query\n",
            report.mode, report.median_ms
        );
    }
    println!(
        "recall, MRR and nDCG average over the queries with relevant papers; \
         empty = share of queries answered with no results (1.000 is right for nonsense)"
    );
}

fn print_per_query(reports: &[ModeReport]) {
    println!("\nmode\thalf\tkind\thits\tfirst_relevant\tits_score\ttop_score\tquery");
    let shown = |x: Option<String>| x.unwrap_or_else(|| "-".into());
    for report in reports {
        for q in &report.per_query {
            println!(
                "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                report.mode,
                q.half.name(),
                q.kind,
                q.hits,
                shown(q.first_relevant.map(|r| r.to_string())),
                shown(q.first_relevant_score.map(|s| format!("{s:.4}"))),
                shown(q.top_score.map(|s| format!("{s:.4}"))),
                q.query
            );
        }
    }
}
