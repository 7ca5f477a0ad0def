//! `paperboy eval-digests`: how well "for you" finds what a reader goes on to like,
//! on simulated readers from the Hugging Face daily-papers archive (see
//! [`archive`]), against two baselines run on the same readers and pools: the
//! trending order alone (HF upvotes) and an arxiv-sanity-style tf-idf SVM.
//!
//! Every held-out paper competes with the other papers of its week's daily lists;
//! it counts as found when it ranks in the top 10. The model's one knob (how many
//! liked papers a score averages) is chosen on the tuning half of the readers;
//! the figures that matter are the other half's.

mod archive;
mod tfidf;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use paperboy_app::Config;
use paperboy_app::semantic::{Fetch, open_embedder};
use paperboy_core::ArxivId;
use paperboy_core::foryou::{LikedPaper, Liking, ModelParams, ReaderModel};

use archive::{Entry, Reader};
use paperboy_search::eval::Half;
use tfidf::{LinearSvm, Sparse, TfIdf};

/// Ranks at which a held-out paper counts as found.
const TOP: usize = 10;
/// Neighbour counts tried on the tuning half.
const NEIGHBOURS: [usize; 5] = [1, 2, 3, 5, 8];
/// Negatives per reader for the SVM at most (earlier papers, evenly spaced).
const SVM_NEGATIVES: usize = 1_500;
/// The SVM's regularisation.
const SVM_LAMBDA: f32 = 1e-4;

/// Arguments of `eval-digests`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The HF daily-papers archive (JSON Lines, gzip read transparently), imported
    /// and embedded in this instance first (`paperboy import FILE`, `paperboy embed`).
    file: PathBuf,
    /// Readers must have submitted at least this many papers.
    #[arg(long, default_value_t = 5)]
    min_likes: usize,
    /// ... and at most this many (bulk posters curate for others).
    #[arg(long, default_value_t = 100)]
    max_likes: usize,
    /// Print the figures as one JSON object.
    #[arg(long)]
    json: bool,
}

/// Recall@10 of each method on one half.
#[derive(Debug, Clone, Default, serde::Serialize)]
struct HalfReport {
    readers: usize,
    held_out: usize,
    /// Expected recall@10 of a random order.
    random: f64,
    trending: f64,
    tfidf_svm: f64,
    /// "For you" at each neighbour count tried.
    for_you: Vec<(usize, f64)>,
}

/// Everything the methods share.
struct Corpus {
    entries: Vec<Entry>,
    vectors: HashMap<ArxivId, Vec<f32>>,
    tfidf: TfIdf,
    sparse: Vec<Sparse>,
}

/// Runs `eval-digests`.
pub async fn run(args: Args, config: &Config) -> anyhow::Result<ExitCode> {
    let input = paperboy_ingest::input::open(&args.file)
        .with_context(|| format!("opening {}", args.file.display()))?;
    let entries =
        archive::read(input.reader).with_context(|| format!("reading {}", args.file.display()))?;
    let readers = archive::readers(&entries, args.min_likes, args.max_likes);
    anyhow::ensure!(
        !readers.is_empty(),
        "no HF user in {} submitted {}..={} papers: is it the daily-papers archive?",
        args.file.display(),
        args.min_likes,
        args.max_likes
    );
    let store = super::open_store(config).await?;
    let embedder = open_embedder(config, Fetch::Never)
        .await?
        .context("no embedding model: run `paperboy model fetch` (and `paperboy embed`) first")?;
    let (Some(model), Some(dim)) = (embedder.model_name(), embedder.dimension()) else {
        anyhow::bail!("the embedder names no model");
    };
    let ids: Vec<ArxivId> = entries.iter().map(|e| e.id.clone()).collect();
    let vectors = store.embeddings_of(model, dim, &ids).await?;
    if vectors.len() < ids.len() {
        eprintln!(
            "warning: {} of {} archive papers have no vector (import the file and run `paperboy embed`); \
             for-you figures undercount",
            ids.len() - vectors.len(),
            ids.len()
        );
    }
    let tfidf = TfIdf::fit(entries.iter().map(|e| e.text.as_str()));
    let sparse = entries.iter().map(|e| tfidf.vector(&e.text)).collect();
    let corpus = Corpus {
        entries,
        vectors,
        tfidf,
        sparse,
    };
    let tune = evaluate(&corpus, &readers, Half::Tuning);
    let best = tune
        .for_you
        .iter()
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
        .map_or(NEIGHBOURS[0], |(k, _)| *k);
    let report = evaluate(&corpus, &readers, Half::HeldOut);
    if args.json {
        println!(
            "{}",
            serde_json::json!({ "chosen_neighbours": best, "tune": tune, "report": report })
        );
    } else {
        print_table(&tune, &report, best);
    }
    Ok(ExitCode::SUCCESS)
}

/// Recall@10 of every method over the readers of `half`.
fn evaluate(corpus: &Corpus, readers: &[Reader], half: Half) -> HalfReport {
    let mut report = HalfReport::default();
    let mut found = Found::default();
    for reader in readers.iter().filter(|r| r.half == half) {
        report.readers += 1;
        let known: HashSet<usize> = reader.known.iter().copied().collect();
        let svm = train_svm(corpus, reader, &known);
        let models: Vec<(usize, Option<ReaderModel>)> = NEIGHBOURS
            .iter()
            .map(|&k| (k, reader_model(corpus, reader, k)))
            .collect();
        for &target in &reader.held_out {
            let pool: Vec<usize> = archive::week_of(&corpus.entries, corpus.entries[target].day)
                .into_iter()
                .filter(|at| !known.contains(at))
                .collect();
            report.held_out += 1;
            found.random += (TOP as f64 / pool.len() as f64).min(1.0);
            found.trending += hit(&pool, target, |at| corpus.entries[at].upvotes as f32);
            found.svm += hit(&pool, target, |at| svm.score(&corpus.sparse[at]));
            for (slot, (_, model)) in models.iter().enumerate() {
                if found.for_you.len() <= slot {
                    found.for_you.push(0.0);
                }
                if let Some(model) = model {
                    found.for_you[slot] += for_you_hit(corpus, model, &pool, target);
                }
            }
        }
    }
    let share = |n: f64| {
        if report.held_out == 0 {
            0.0
        } else {
            n / report.held_out as f64
        }
    };
    report.random = share(found.random);
    report.trending = share(found.trending);
    report.tfidf_svm = share(found.svm);
    report.for_you = NEIGHBOURS
        .iter()
        .zip(&found.for_you)
        .map(|(k, n)| (*k, share(*n)))
        .collect();
    report
}

/// Held-out papers found so far, per method.
#[derive(Debug, Default)]
struct Found {
    random: f64,
    trending: f64,
    svm: f64,
    for_you: Vec<f64>,
}

/// 1 when `target` ranks in the top 10 of `pool` by `score` (ties against it).
fn hit(pool: &[usize], target: usize, score: impl Fn(usize) -> f32) -> f64 {
    let mine = score(target);
    let better = pool
        .iter()
        .filter(|&&at| at != target && score(at) >= mine)
        .count();
    if better < TOP { 1.0 } else { 0.0 }
}

/// [`hit`] for the "for you" ranking: papers without a vector cannot rank.
fn for_you_hit(corpus: &Corpus, model: &ReaderModel, pool: &[usize], target: usize) -> f64 {
    let candidates = pool.iter().filter_map(|&at| {
        corpus
            .vectors
            .get(&corpus.entries[at].id)
            .map(|v| (at, v.as_slice()))
    });
    let top = model.rank(candidates, TOP);
    if top.iter().any(|pick| pick.item == target) {
        1.0
    } else {
        0.0
    }
}

/// The reader's "for you" model averaging `neighbours` liked papers, with no floor
/// (the evaluation ranks every candidate).
fn reader_model(corpus: &Corpus, reader: &Reader, neighbours: usize) -> Option<ReaderModel> {
    let liked = reader
        .known
        .iter()
        .filter_map(|&at| {
            let entry = &corpus.entries[at];
            corpus.vectors.get(&entry.id).map(|v| LikedPaper {
                title: entry.id.to_string(),
                liking: Liking::Seeded,
                vector: v.clone(),
            })
        })
        .collect();
    let params = ModelParams {
        neighbours,
        floor: f32::NEG_INFINITY,
        ..ModelParams::default()
    };
    ReaderModel::with_params(liked, Vec::new(), params)
}

/// The reader's SVM: liked papers against the papers listed before their first
/// held-out one (evenly spaced, at most [`SVM_NEGATIVES`]).
fn train_svm(corpus: &Corpus, reader: &Reader, known: &HashSet<usize>) -> LinearSvm {
    let until = reader
        .held_out
        .first()
        .map_or(corpus.entries.len(), |&at| at);
    let earlier: Vec<usize> = (0..until).filter(|at| !known.contains(at)).collect();
    let step = (earlier.len() / SVM_NEGATIVES).max(1);
    let negatives: Vec<&Sparse> = earlier
        .iter()
        .step_by(step)
        .map(|&at| &corpus.sparse[at])
        .collect();
    let positives: Vec<&Sparse> = reader.known.iter().map(|&at| &corpus.sparse[at]).collect();
    LinearSvm::train(corpus.tfidf.len(), &positives, &negatives, SVM_LAMBDA)
}

fn print_table(tune: &HalfReport, report: &HalfReport, best: usize) {
    println!("recall@{TOP} of held-out liked papers among their week's daily-list papers\n");
    println!(
        "{:<26} {:>14} {:>14}",
        "method", "tuning half", "held-out half"
    );
    let row = |name: &str, a: f64, b: f64| println!("{name:<26} {a:>14.3} {b:>14.3}");
    row("random order (expected)", tune.random, report.random);
    row("trending (HF upvotes)", tune.trending, report.trending);
    row(
        "tf-idf SVM (arxiv-sanity)",
        tune.tfidf_svm,
        report.tfidf_svm,
    );
    for ((k, a), (_, b)) in tune.for_you.iter().zip(&report.for_you) {
        let mark = if *k == best { " *" } else { "" };
        row(&format!("for you, {k} neighbour(s){mark}"), *a, *b);
    }
    println!(
        "\nreaders: {} tuning, {} held out; held-out likes: {} tuning, {} held out",
        tune.readers, report.readers, tune.held_out, report.held_out
    );
    println!("* chosen on the tuning half");
}
