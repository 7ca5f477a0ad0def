//! `paperboy import`: read a file of any supported format into the store.
//!
//! A blocking thread reads, decompresses and parses; the async side merges and
//! writes batches, so parsing and writing overlap on two cores. A bad record costs
//! only itself: it is reported as `FILE:LINE: reason` and the rest goes in. A record
//! whose paper or daily entry the file gave before is a duplicate in the file: merged
//! into the first, and counted apart from what the database already held.

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};
use std::io::{self, BufRead, Read};
use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::Instant;

use jiff::civil::Date;
use paperboy_store::{Batch, Store, WriteSummary};
use serde::Serialize;
use tokio::sync::mpsc;

use crate::detect::{Format, detect};
use crate::formats::atom::parse_feed;
use crate::formats::hf::{HfArchive, parse_daily_papers};
use crate::formats::kaggle::KaggleSnapshot;
use crate::formats::listing::Listing;
use crate::formats::oai::parse_page;
use crate::formats::paperboy::PaperboyExport;
use crate::formats::{LineContext, LineFormat, Parsed, Skipped};
use crate::input::{self, Input, Line, MAX_DOCUMENT_BYTES, MAX_LINE_BYTES};
use crate::progress;

/// Papers per write transaction.
pub const DEFAULT_BATCH_SIZE: usize = 2_000;

/// How many failing lines in a row, with none parsed yet, make a file hopeless.
const HOPELESS_AFTER: u64 = 100;

/// How many skipped records per file are printed; the rest are counted.
const PRINTED_SKIPS: u64 = 50;

/// Options of one import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Read as this format instead of detecting it.
    pub format: Option<Format>,
    /// The daily-list date for `/api/daily_papers` arrays whose items carry none.
    pub daily_date: Option<Date>,
    /// Papers per write transaction.
    pub batch_size: usize,
    /// Pass over a file whose format is not recognised, with the reason, instead of
    /// failing it (for files found in a directory, which may hold anything).
    pub pass_over_unknown: bool,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            format: None,
            daily_date: None,
            batch_size: DEFAULT_BATCH_SIZE,
            pass_over_unknown: false,
        }
    }
}

/// What importing one file did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FileReport {
    /// The file, as given.
    pub file: String,
    /// Its format, once known.
    pub format: Option<Format>,
    /// Records read (good and skipped); a file's header is not a record.
    pub records: u64,
    /// What the papers and daily entries the file gave first did to the database.
    #[serde(flatten)]
    pub written: WriteSummary,
    /// Papers the file gave again (merged into the first).
    pub papers_duplicate: u64,
    /// Daily entries the file gave again (merged into the first).
    pub entries_duplicate: u64,
    /// Records skipped as malformed.
    pub skipped: u64,
    /// Why the file could not be read to its end, if it could not.
    pub error: Option<String>,
    /// Why the file was passed over as not a known format (see
    /// [`ImportOptions::pass_over_unknown`]).
    pub passed_over: Option<String>,
    /// Wall-clock seconds.
    pub seconds: f64,
}

impl FileReport {
    /// True when every record of the file went in.
    pub fn is_clean(&self) -> bool {
        self.skipped == 0 && self.error.is_none()
    }
}

/// A parsed slice of the input on its way to the writer.
#[derive(Default)]
struct Chunk {
    parsed: Parsed,
    records: u64,
    /// Papers and entries an earlier chunk of the file gave already, written after
    /// `parsed` and counted as duplicates, not as database changes.
    again: Batch,
    papers_duplicate: u64,
    entries_duplicate: u64,
}

/// The papers and daily entries a file gave so far, to tell a record the file gives
/// again from one the database held before. Holds 64-bit hashes, not ids, so that a
/// file of millions of records costs little memory; a collision (about one in ten
/// million for three million ids) only miscounts: the record is written all the same.
#[derive(Default)]
struct SeenInFile {
    hasher: RandomState,
    papers: HashSet<u64>,
    entries: HashSet<u64>,
}

impl SeenInFile {
    /// Counts the papers and entries of `chunk` the file gave before, and moves those
    /// an earlier chunk gave into `chunk.again` (repeats within the chunk stay: the
    /// store merges those in one write).
    fn sort_out(&mut self, chunk: &mut Chunk) {
        let hasher = &self.hasher;
        let batch = &mut chunk.parsed.batch;
        let (papers, again, repeats) =
            split_repeats(std::mem::take(&mut batch.papers), &mut self.papers, |p| {
                hasher.hash_one(&p.id)
            });
        (batch.papers, chunk.again.papers, chunk.papers_duplicate) = (papers, again, repeats);
        let (entries, again, repeats) =
            split_repeats(std::mem::take(&mut batch.entries), &mut self.entries, |e| {
                hasher.hash_one((e.date, &e.paper_id))
            });
        (batch.entries, chunk.again.entries, chunk.entries_duplicate) = (entries, again, repeats);
    }
}

/// Splits `items` into those not in `seen` and those in it, counting every item whose
/// key is in `seen` or earlier in `items`; adds the new keys to `seen`.
fn split_repeats<T>(
    items: Vec<T>,
    seen: &mut HashSet<u64>,
    key: impl Fn(&T) -> u64,
) -> (Vec<T>, Vec<T>, u64) {
    let mut here = HashSet::with_capacity(items.len());
    let (mut first, mut again, mut repeats) = (Vec::with_capacity(items.len()), Vec::new(), 0);
    for item in items {
        let key = key(&item);
        if seen.contains(&key) {
            repeats += 1;
            again.push(item);
        } else {
            repeats += u64::from(!here.insert(key));
            first.push(item);
        }
    }
    seen.extend(here);
    (first, again, repeats)
}

/// The parser's end of the channel to the writer.
struct ToWriter<'a> {
    tx: &'a mpsc::Sender<Chunk>,
    seen: SeenInFile,
}

impl ToWriter<'_> {
    /// Sends `chunk` on; false when the writer has stopped.
    fn send(&mut self, mut chunk: Chunk) -> bool {
        self.seen.sort_out(&mut chunk);
        self.tx.blocking_send(chunk).is_ok()
    }
}

/// Imports one file. Never panics on bad input: problems end up in the report.
pub async fn import_file(store: &Store, path: &Path, options: &ImportOptions) -> FileReport {
    let name = path.display().to_string();
    match input::open(path) {
        Ok(input) => import_input(store, name, input, options).await,
        Err(e) => FileReport {
            file: name,
            error: Some(format!("cannot open: {e}")),
            ..FileReport::default()
        },
    }
}

/// Imports an opened input, labelled `name` in messages.
pub async fn import_input(
    store: &Store,
    name: String,
    input: Input,
    options: &ImportOptions,
) -> FileReport {
    let started = Instant::now();
    let mut report = FileReport {
        file: name.clone(),
        ..FileReport::default()
    };
    let bar = progress::bytes_bar(&name, input.file_len);
    let position = input.position.clone();
    let (head, reader) = input::peek_head(input.reader);
    let format = match options.format.map(Ok).unwrap_or_else(|| detect(&head)) {
        Ok(format) => format,
        Err(reason) if options.pass_over_unknown => {
            report.passed_over = Some(reason);
            return report;
        }
        Err(reason) => {
            report.error = Some(format!("{reason} (pass --format to choose a format)"));
            return report;
        }
    };
    report.format = Some(format);

    let (tx, mut rx) = mpsc::channel::<Chunk>(4);
    let context = LineContext {
        daily_date: options.daily_date,
    };
    let batch_size = options.batch_size.max(1);
    let parser =
        tokio::task::spawn_blocking(move || parse(format, reader, &context, batch_size, &tx));

    while let Some(chunk) = rx.recv().await {
        report.records += chunk.records;
        report.papers_duplicate += chunk.papers_duplicate;
        report.entries_duplicate += chunk.entries_duplicate;
        for skipped in &chunk.parsed.skipped {
            report.skipped += 1;
            if report.skipped <= PRINTED_SKIPS {
                bar.suspend(|| eprintln!("{name}:{}: {}", skipped.line, skipped.reason));
            }
        }
        match write_chunk(store, chunk.parsed.batch, chunk.again).await {
            Ok(summary) => report.written += summary,
            Err(e) => {
                report.error = Some(format!("writing to the database failed: {e}"));
                break;
            }
        }
        bar.set_position(position.load(Ordering::Relaxed));
        bar.set_message(format!("{} records", report.records));
    }
    drop(rx);
    match parser.await {
        Ok(Ok(())) => {}
        Ok(Err(reason)) => {
            report.error.get_or_insert(reason);
        }
        Err(e) => {
            report
                .error
                .get_or_insert(format!("the parser stopped unexpectedly: {e}"));
        }
    }
    if report.skipped > PRINTED_SKIPS {
        eprintln!(
            "{name}: {} more skipped records not shown",
            report.skipped - PRINTED_SKIPS
        );
    }
    bar.finish_and_clear();
    report.seconds = started.elapsed().as_secs_f64();
    report
}

/// Writes a chunk's records, then those the file gave in an earlier chunk; returns
/// what the first did (the others are duplicates in the file, counted apart).
async fn write_chunk(
    store: &Store,
    batch: Batch,
    again: Batch,
) -> paperboy_store::Result<WriteSummary> {
    let mut summary = WriteSummary::default();
    if !batch.is_empty() {
        summary = store.write(batch).await?;
    }
    if !again.is_empty() {
        store.write(again).await?;
    }
    Ok(summary)
}

/// Parses the whole input, sending chunks to the writer. Returns why it stopped early.
fn parse(
    format: Format,
    reader: Box<dyn BufRead + Send>,
    context: &LineContext,
    batch_size: usize,
    tx: &mpsc::Sender<Chunk>,
) -> Result<(), String> {
    let mut tx = ToWriter {
        tx,
        seen: SeenInFile::default(),
    };
    let line_format: &dyn LineFormat = match format {
        Format::ArxivListing => &Listing,
        Format::HfArchive => &HfArchive,
        Format::KaggleSnapshot => &KaggleSnapshot,
        Format::PaperboyExport => &PaperboyExport,
        Format::HfDailyPapers | Format::ArxivAtom | Format::OaiPmh => {
            let text = read_document(reader)?;
            let parsed = parse_document(format, &text, context)?;
            let records = (parsed.batch.papers.len() + parsed.skipped.len()) as u64;
            // A document goes in as one transaction: its entries refer to its papers.
            tx.send(Chunk {
                parsed,
                records,
                ..Chunk::default()
            });
            return Ok(());
        }
    };
    parse_lines(line_format, reader, context, batch_size, &mut tx)
}

fn parse_document(format: Format, text: &str, context: &LineContext) -> Result<Parsed, String> {
    let (mut parsed, broken) = match format {
        Format::HfDailyPapers => return parse_daily_papers(text, context.daily_date),
        Format::ArxivAtom => {
            let feed = parse_feed(text)?;
            (feed.parsed, feed.broken)
        }
        Format::OaiPmh => {
            let page = parse_page(text).map_err(|e| e.to_string())?;
            (page.parsed, page.broken)
        }
        other => return Err(format!("{other} is not a document format")),
    };
    // A document that breaks off keeps the records before the damage; the damage is
    // reported like a bad record, at its line.
    parsed.skipped.extend(broken);
    Ok(parsed)
}

fn read_document(reader: Box<dyn BufRead + Send>) -> Result<String, String> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_DOCUMENT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| read_error(&e, 0))?;
    if bytes.len() as u64 > MAX_DOCUMENT_BYTES {
        return Err(format!(
            "the document is over {} MiB; split it",
            MAX_DOCUMENT_BYTES >> 20
        ));
    }
    String::from_utf8(bytes)
        .map_err(|e| format!("not valid UTF-8 at byte {}", e.utf8_error().valid_up_to()))
}

fn parse_lines(
    format: &dyn LineFormat,
    mut reader: Box<dyn BufRead + Send>,
    context: &LineContext,
    batch_size: usize,
    tx: &mut ToWriter<'_>,
) -> Result<(), String> {
    let mut buf = Vec::with_capacity(64 * 1024);
    let mut number = 0u64;
    let mut good = 0u64;
    let mut chunk = Chunk::default();
    loop {
        let line = match read_line(&mut *reader, &mut buf) {
            Ok(line) => line,
            Err(e) => {
                // Keep what was parsed before the damage.
                tx.send(chunk);
                return Err(read_error(&e, number));
            }
        };
        if line == Line::Eof {
            break;
        }
        number += 1;
        let before = chunk.parsed.items();
        let result = match line {
            Line::TooLong(n) => Err(format!(
                "line is {n} bytes, over the {} MiB limit",
                MAX_LINE_BYTES >> 20
            )),
            _ => match std::str::from_utf8(&buf) {
                Ok(text) if text.trim().is_empty() => continue,
                Ok(text) => format.parse_line(text, number, context, &mut chunk.parsed),
                Err(e) => Err(format!("not valid UTF-8 at column {}", e.valid_up_to() + 1)),
            },
        };
        match result {
            Ok(()) => {
                good += 1;
                // A line that gave nothing (a file header) is not a record.
                chunk.records += u64::from(chunk.parsed.items() > before);
            }
            Err(reason) => {
                chunk.records += 1;
                chunk.parsed.skipped.push(Skipped {
                    line: number,
                    reason,
                });
            }
        }
        if good == 0 && number >= HOPELESS_AFTER {
            tx.send(std::mem::take(&mut chunk));
            return Err(format!(
                "the first {number} lines all failed to parse (reasons above), giving up"
            ));
        }
        let full = chunk.parsed.batch.papers.len() >= batch_size
            || chunk.parsed.skipped.len() >= batch_size;
        if full && !tx.send(std::mem::take(&mut chunk)) {
            return Ok(()); // the writer stopped and reports why
        }
    }
    tx.send(chunk);
    Ok(())
}

fn read_line(reader: &mut dyn BufRead, buf: &mut Vec<u8>) -> io::Result<Line> {
    input::read_line(reader, buf, MAX_LINE_BYTES)
}

/// Explains a read failure after line `line`.
fn read_error(e: &io::Error, line: u64) -> String {
    let after = if line == 0 {
        "at the start".to_owned()
    } else {
        format!("after line {line}")
    };
    match e.kind() {
        io::ErrorKind::UnexpectedEof => {
            format!(
                "input ends abruptly {after} (a truncated gzip file? download it again); records before it were imported"
            )
        }
        io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData => {
            format!("corrupt compressed data {after} ({e}); records before it were imported")
        }
        _ => format!("read error {after}: {e}"),
    }
}
