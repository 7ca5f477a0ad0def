//! `paperboy eval-keyphrases FILE`: how far the extracted key phrases agree with
//! Hugging Face's own `ai_keywords` on the papers of the HF daily-papers archive
//! that have them.
//!
//! Every paper of the file goes into an in-memory keyword index (the corpus the
//! phrases are scored against); each paper with `ai_keywords` then gets the phrases
//! the product would show, from its title and abstract, and they are compared with
//! its keywords ([`paperboy_enrich::keyphrase::agreement`]): precision and recall,
//! exact and head-word match. Papers fall into a tuning and a held-out half by a
//! stable hash of their arXiv id; the held-out half's figures are the ones to report.

use std::collections::HashSet;
use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use paperboy_core::Paper;
use paperboy_enrich::keyphrase::Extractor;
use paperboy_enrich::keyphrase::agreement::{Match, Tally};
use paperboy_ingest::formats::hf::HfArchive;
use paperboy_ingest::formats::{LineContext, LineFormat, Parsed};
use paperboy_ingest::progress::items_bar;
use paperboy_search::keyword::KeywordIndex;
use paperboy_store::ChangeCursor;

use paperboy_search::eval::Half;

/// Arguments of `eval-keyphrases`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The HF daily-papers archive (JSON Lines `{"daily_date", "item"}`, gzip read
    /// transparently).
    file: PathBuf,
    /// Print this many papers of the tuning half with their phrases beside HF's
    /// keywords (a match marked `*`).
    #[arg(long, default_value_t = 0)]
    show: usize,
    /// Print the figures as one JSON object.
    #[arg(long)]
    json: bool,
}

/// The figures of one half.
#[derive(Debug, Clone, Copy, Default)]
struct HalfReport {
    exact: Tally,
    head: Tally,
}

impl HalfReport {
    /// The figures as JSON: per way of matching, precision, recall and the counts.
    fn json(&self) -> serde_json::Value {
        let figures = |t: &Tally| {
            serde_json::json!({
                "precision": t.precision(),
                "recall": t.recall(),
                "extracted": t.extracted,
                "extracted_matched": t.extracted_matched,
                "reference": t.reference,
                "reference_found": t.reference_found,
            })
        };
        serde_json::json!({
            "papers": self.exact.papers,
            "exact": figures(&self.exact),
            "head": figures(&self.head),
        })
    }
}

/// Runs `eval-keyphrases` (on a blocking thread: it is all computation).
pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    tokio::task::spawn_blocking(move || measure(&args)).await?
}

fn measure(args: &Args) -> anyhow::Result<ExitCode> {
    let input = paperboy_ingest::input::open(&args.file)
        .with_context(|| format!("opening {}", args.file.display()))?;
    let papers =
        read_papers(input.reader).with_context(|| format!("reading {}", args.file.display()))?;
    let judged = papers.iter().filter(|p| !p.ai_keywords.is_empty()).count();
    anyhow::ensure!(
        judged > 0,
        "no paper in {} has `ai_keywords`: is it the HF daily-papers archive?",
        args.file.display()
    );
    let index = corpus_index(&papers)?;
    let stats = index.stats();
    let mut extractor = Extractor::default();
    let (mut tune, mut report) = (HalfReport::default(), HalfReport::default());
    let mut shown = 0;
    let bar = items_bar("key phrases", judged as u64);
    for paper in papers.iter().filter(|p| !p.ai_keywords.is_empty()) {
        let phrases: Vec<String> = extractor
            .extract(&paper.title, &paper.summary, &stats)?
            .into_iter()
            .map(|k| k.text)
            .collect();
        let half = Half::of(paper.id.as_str());
        let figures = match half {
            Half::Tuning => &mut tune,
            Half::HeldOut => &mut report,
        };
        figures
            .exact
            .add(Match::Exact, &phrases, &paper.ai_keywords);
        figures.head.add(Match::Head, &phrases, &paper.ai_keywords);
        if half == Half::Tuning && shown < args.show {
            shown += 1;
            show(paper, &phrases);
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    if args.json {
        println!(
            "{}",
            serde_json::json!({
                "corpus": papers.len(),
                "tune": tune.json(),
                "report": report.json(),
            })
        );
    } else {
        print_table(papers.len(), &tune, &report);
    }
    Ok(ExitCode::SUCCESS)
}

/// The distinct papers of the archive (the first listing of each), read with the
/// importer's parser; lines it cannot use are left out.
fn read_papers(reader: impl BufRead) -> anyhow::Result<Vec<Paper>> {
    let mut parsed = Parsed::default();
    let context = LineContext::default();
    for (n, line) in reader.lines().enumerate() {
        let line = line.with_context(|| format!("reading line {}", n + 1))?;
        let number = n as u64 + 1;
        if let Err(reason) = HfArchive.parse_line(&line, number, &context, &mut parsed) {
            parsed.skip(number, reason);
        }
    }
    let mut seen = HashSet::new();
    Ok(parsed
        .batch
        .papers
        .into_iter()
        .filter(|p| seen.insert(p.id.clone()))
        .collect())
}

/// An in-memory keyword index of `papers`: the corpus statistics phrases are
/// scored against.
fn corpus_index(papers: &[Paper]) -> anyhow::Result<KeywordIndex> {
    let index = KeywordIndex::in_memory()?;
    let mut writer = index.writer()?;
    for paper in papers {
        writer.upsert(paper)?;
    }
    writer.commit(&ChangeCursor::default())?;
    index.reload()?;
    Ok(index)
}

/// One paper's phrases beside its HF keywords; `*` marks an exact match.
fn show(paper: &Paper, phrases: &[String]) {
    let marked: Vec<String> = phrases
        .iter()
        .map(|p| {
            let mark = if Match::Exact.matches(p, &paper.ai_keywords) {
                "*"
            } else {
                ""
            };
            format!("{p}{mark}")
        })
        .collect();
    eprintln!("{}  {}", paper.id, paper.title);
    eprintln!("  paperboy: {}", marked.join(" | "));
    eprintln!("  HF:       {}\n", paper.ai_keywords.join(" | "));
}

fn print_table(corpus: usize, tune: &HalfReport, report: &HalfReport) {
    println!("key phrases against HF ai_keywords (corpus: {corpus} papers of the archive)\n");
    println!("{:<22} {:>14} {:>14}", "", "tuning half", "held-out half");
    let row = |name: &str, a: f64, b: f64| println!("{name:<22} {a:>14.3} {b:>14.3}");
    row(
        "exact precision",
        tune.exact.precision(),
        report.exact.precision(),
    );
    row("exact recall", tune.exact.recall(), report.exact.recall());
    row(
        "head-word precision",
        tune.head.precision(),
        report.head.precision(),
    );
    row("head-word recall", tune.head.recall(), report.head.recall());
    println!(
        "\npapers: {} tuning, {} held out; phrases per paper: {:.2} tuning, {:.2} held out; \
         HF keywords per paper: {:.2} tuning, {:.2} held out",
        tune.exact.papers,
        report.exact.papers,
        per_paper(tune.exact.extracted, tune.exact.papers),
        per_paper(report.exact.extracted, report.exact.papers),
        per_paper(tune.exact.reference, tune.exact.papers),
        per_paper(report.exact.reference, report.exact.papers),
    );
}

fn per_paper(count: usize, papers: usize) -> f64 {
    count as f64 / papers.max(1) as f64
}
