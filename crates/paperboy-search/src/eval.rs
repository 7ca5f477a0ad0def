//! Measuring search quality: recall@10, MRR and nDCG@10 of each ranker on a set of
//! queries with known relevant papers (`paperboy eval FILE`).

use std::collections::BTreeMap;
use std::time::Instant;

use paperboy_core::{ArxivId, SearchQuery};
use serde::Serialize;

use crate::Result;
use crate::engine::{SearchEngine, SearchMode, SearchRequest};

/// The cut-off of recall and nDCG.
pub const K: usize = 10;
/// How deep the ranking is read for MRR.
const DEPTH: usize = 100;

/// Which half of an evaluation set a unit (a query, a reader, a paper) belongs to:
/// rules are tuned on one half and reported on the other, so that figures are not
/// those of the set the rules fit. Shared by every evaluation command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Half {
    /// Queries ranking rules may be tuned on.
    Tuning,
    /// Queries kept apart: the figures to report.
    HeldOut,
}

impl Half {
    /// The half of `key` (a query's text, a reader's name, an arXiv id), fixed by a
    /// hash of it (FNV-1a): the same key is always in the same half, whatever the
    /// order of the file.
    pub fn of(key: &str) -> Self {
        let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        if hash % 2 == 0 {
            Self::Tuning
        } else {
            Self::HeldOut
        }
    }

    /// The name the report uses.
    pub fn name(self) -> &'static str {
        match self {
            Self::Tuning => "tuning",
            Self::HeldOut => "held-out",
        }
    }
}

/// One evaluation query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalQuery {
    /// What the user types.
    pub query: String,
    /// The papers the user means; none for a query that should find nothing
    /// (`asdfghjkl`).
    pub relevant: Vec<ArxivId>,
    /// A label for per-kind figures (`description`, `keyword`, ...).
    pub kind: String,
}

impl EvalQuery {
    /// The half the query belongs to.
    pub fn half(&self) -> Half {
        Half::of(&self.query)
    }
}

/// Reads a TSV file: a header line, then `query<TAB>id[,id...]<TAB>kind` (kind
/// optional; `-` for the ids of a query that should find nothing). Says which line
/// is wrong.
pub fn parse_tsv(text: &str) -> Result<Vec<EvalQuery>, String> {
    let mut queries = Vec::new();
    for (number, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut fields = line.split('\t');
        let (Some(query), Some(ids)) = (fields.next(), fields.next()) else {
            return Err(format!(
                "line {}: expected query<TAB>ids[<TAB>kind]",
                number + 1
            ));
        };
        let relevant = match ids.trim() {
            "-" => Vec::new(),
            ids => ids
                .split(',')
                .map(|id| ArxivId::parse(id).map_err(|e| format!("line {}: {e}", number + 1)))
                .collect::<Result<Vec<_>, _>>()?,
        };
        let kind = fields
            .next()
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .unwrap_or("all")
            .to_owned();
        queries.push(EvalQuery {
            query: query.trim().to_owned(),
            relevant,
            kind,
        });
    }
    if queries.is_empty() {
        return Err("no queries (a header line, then query<TAB>ids<TAB>kind lines)".into());
    }
    Ok(queries)
}

/// Averaged quality figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Metrics {
    /// Queries measured.
    pub queries: usize,
    /// Of those, queries with relevant papers (the others should find nothing):
    /// recall, MRR and nDCG average over these.
    pub answerable: usize,
    /// Mean share of the relevant papers found in the top 10 (of at most 10 of
    /// them, when a query has more).
    pub recall_at_10: f64,
    /// Mean reciprocal rank of the first relevant paper (within the top 100).
    pub mrr: f64,
    /// Mean nDCG of the top 10 (binary relevance).
    pub ndcg_at_10: f64,
    /// Share of the queries answered with no results at all.
    pub empty: f64,
}

impl Metrics {
    fn add(&mut self, outcome: &QueryOutcome) {
        self.queries += 1;
        if outcome.hits == 0 {
            self.empty += 1.0;
        }
        if let Some((recall, rr, ndcg)) = outcome.scores {
            self.answerable += 1;
            self.recall_at_10 += recall;
            self.mrr += rr;
            self.ndcg_at_10 += ndcg;
        }
    }

    fn finish(mut self) -> Self {
        if self.answerable > 0 {
            let n = self.answerable as f64;
            self.recall_at_10 /= n;
            self.mrr /= n;
            self.ndcg_at_10 /= n;
        }
        if self.queries > 0 {
            self.empty /= self.queries as f64;
        }
        self
    }
}

/// Recall@10, reciprocal rank and nDCG@10 of one ranking.
pub fn score(ranked: &[ArxivId], relevant: &[ArxivId]) -> (f64, f64, f64) {
    if relevant.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    let found = ranked
        .iter()
        .take(K)
        .filter(|id| relevant.contains(id))
        .count();
    // Capped: a name query may have more relevant papers than fit in the top 10.
    let recall = found as f64 / relevant.len().min(K) as f64;
    let reciprocal_rank = ranked
        .iter()
        .take(DEPTH)
        .position(|id| relevant.contains(id))
        .map_or(0.0, |i| 1.0 / (i + 1) as f64);
    let gain = |i: usize| 1.0 / ((i + 2) as f64).log2();
    let dcg: f64 = ranked
        .iter()
        .take(K)
        .enumerate()
        .filter(|(_, id)| relevant.contains(id))
        .map(|(i, _)| gain(i))
        .sum();
    let ideal: f64 = (0..relevant.len().min(K)).map(gain).sum();
    (recall, reciprocal_rank, dcg / ideal)
}

/// How one query fared with one ranker (for `paperboy eval --per-query`, and for
/// calibrating thresholds on the tuning half).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueryOutcome {
    /// The query.
    pub query: String,
    /// Its kind.
    pub kind: String,
    /// Its half.
    pub half: Half,
    /// Results returned (up to 100).
    pub hits: usize,
    /// Rank (from 1) of the first relevant paper within the top 100.
    pub first_relevant: Option<usize>,
    /// The ranker's score of that paper (cosine similarity in semantic mode).
    pub first_relevant_score: Option<f32>,
    /// The ranker's score of the first result.
    pub top_score: Option<f32>,
    /// Recall@10, reciprocal rank and nDCG@10; none for a query that should find
    /// nothing.
    #[serde(skip)]
    scores: Option<(f64, f64, f64)>,
}

/// The figures of one ranker.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModeReport {
    /// The ranker asked for.
    pub mode: &'static str,
    /// Over all queries.
    pub overall: Metrics,
    /// Over each half.
    pub by_half: BTreeMap<&'static str, Metrics>,
    /// Per query kind.
    pub by_kind: BTreeMap<String, Metrics>,
    /// Median milliseconds per query (in process, hydration included).
    pub median_ms: f64,
    /// Each query's outcome, in the order of the set.
    pub per_query: Vec<QueryOutcome>,
}

/// Runs every query with `mode` and scores the rankings.
pub async fn evaluate(
    engine: &SearchEngine,
    queries: &[EvalQuery],
    mode: SearchMode,
) -> Result<ModeReport> {
    let mut overall = Metrics::default();
    let mut by_half: BTreeMap<&'static str, Metrics> = BTreeMap::new();
    let mut by_kind: BTreeMap<String, Metrics> = BTreeMap::new();
    let mut times = Vec::with_capacity(queries.len());
    let mut per_query = Vec::with_capacity(queries.len());
    for q in queries {
        let request = SearchRequest {
            query: SearchQuery::parse(&q.query),
            mode,
            offset: 0,
            limit: DEPTH,
            highlight: false,
        };
        let started = Instant::now();
        let page = engine.search(&request).await?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        let first_relevant = page
            .hits
            .iter()
            .position(|h| q.relevant.contains(&h.record.paper.id));
        let outcome = QueryOutcome {
            query: q.query.clone(),
            kind: q.kind.clone(),
            half: q.half(),
            hits: page.hits.len(),
            first_relevant: first_relevant.map(|i| i + 1),
            first_relevant_score: first_relevant.map(|i| page.hits[i].score),
            top_score: page.hits.first().map(|h| h.score),
            scores: (!q.relevant.is_empty()).then(|| {
                let ranked: Vec<ArxivId> = page
                    .hits
                    .iter()
                    .map(|h| h.record.paper.id.clone())
                    .collect();
                score(&ranked, &q.relevant)
            }),
        };
        overall.add(&outcome);
        by_half.entry(q.half().name()).or_default().add(&outcome);
        by_kind.entry(q.kind.clone()).or_default().add(&outcome);
        per_query.push(outcome);
    }
    times.sort_by(f64::total_cmp);
    Ok(ModeReport {
        mode: mode.name(),
        overall: overall.finish(),
        by_half: by_half.into_iter().map(|(k, m)| (k, m.finish())).collect(),
        by_kind: by_kind.into_iter().map(|(k, m)| (k, m.finish())).collect(),
        median_ms: times.get(times.len() / 2).copied().unwrap_or(0.0),
        per_query,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(list: &[&str]) -> Vec<ArxivId> {
        list.iter().map(|s| ArxivId::parse(s).unwrap()).collect()
    }

    #[test]
    fn scores_follow_the_textbook_definitions() {
        let relevant = ids(&["2501.00002"]);
        assert_eq!(
            score(&ids(&["2501.00002", "2501.00001"]), &relevant),
            (1.0, 1.0, 1.0)
        );
        let (recall, rr, ndcg) = score(&ids(&["2501.00001", "2501.00002"]), &relevant);
        assert_eq!((recall, rr), (1.0, 0.5));
        assert!((ndcg - 1.0 / 3f64.log2()).abs() < 1e-12);
        assert_eq!(score(&ids(&["2501.00001"]), &relevant), (0.0, 0.0, 0.0));
        let two = ids(&["2501.00002", "2501.00003"]);
        assert_eq!(score(&ids(&["2501.00003", "2501.00009"]), &two).0, 0.5);
    }

    #[test]
    fn tsv_errors_name_the_line() {
        let ok = parse_tsv(
            "query\trelevant_ids\tkind\nllama adapters\t2501.00001,2501.00002\tkeyword\n",
        )
        .unwrap();
        assert_eq!(ok[0].relevant.len(), 2);
        assert_eq!(ok[0].kind, "keyword");
        assert!(
            parse_tsv("h\nno tab here\n")
                .unwrap_err()
                .starts_with("line 2")
        );
        assert!(
            parse_tsv("h\nq\tnot-an-id\n")
                .unwrap_err()
                .contains("line 2")
        );
        assert!(parse_tsv("h\n").is_err());
        let nothing = parse_tsv("h\nasdfghjkl\t-\tnonsense\n").unwrap();
        assert!(nothing[0].relevant.is_empty());
    }

    #[test]
    fn halves_are_fixed_by_the_text_and_split_a_set_about_evenly() {
        assert_eq!(Half::of("llama"), Half::of("llama"));
        let text =
            std::fs::read_to_string(paperboy_testkit::workspace_root().join("eval/queries.tsv"))
                .unwrap();
        let queries = parse_tsv(&text).unwrap();
        let held_out = queries.iter().filter(|q| q.half() == Half::HeldOut).count();
        let share = held_out as f64 / queries.len() as f64;
        assert!((0.4..=0.6).contains(&share), "held-out share {share}");
    }

    #[test]
    fn the_committed_evaluation_set_parses() {
        let text =
            std::fs::read_to_string(paperboy_testkit::workspace_root().join("eval/queries.tsv"))
                .unwrap();
        let queries = parse_tsv(&text).unwrap();
        assert!(queries.len() >= 100);
        let of_kind = |kind: &str| queries.iter().filter(|q| q.kind == kind).count();
        assert_eq!(of_kind("description"), 84);
        assert!(of_kind("name") >= 20 && of_kind("nonsense") >= 20);
        assert!(
            queries
                .iter()
                .all(|q| q.relevant.is_empty() == (q.kind == "nonsense")),
            "only nonsense queries have no relevant papers"
        );
    }

    #[test]
    fn topic_queries_are_the_papers_their_pooled_judgements_mark_relevant() {
        let root = paperboy_testkit::workspace_root();
        let text = std::fs::read_to_string(root.join("eval/queries.tsv")).unwrap();
        let topics: BTreeMap<String, Vec<String>> = parse_tsv(&text)
            .unwrap()
            .into_iter()
            .filter(|q| q.kind == "topic")
            .map(|q| {
                let mut ids: Vec<String> = q.relevant.iter().map(ToString::to_string).collect();
                ids.sort();
                (q.query, ids)
            })
            .collect();
        assert!(topics.len() >= 30, "{} topic queries", topics.len());
        let judged = std::fs::read_to_string(root.join("eval/topic_judgements.tsv")).unwrap();
        let mut relevant: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for line in judged.lines().skip(1) {
            let fields: Vec<&str> = line.split('\t').collect();
            assert!(matches!(fields.as_slice(), [_, _, "0" | "1"]), "{line}");
            let entry = relevant.entry(fields[0].to_owned()).or_default();
            if fields[2] == "1" {
                entry.push(fields[1].to_owned());
            }
        }
        relevant.retain(|_, ids| !ids.is_empty());
        for ids in relevant.values_mut() {
            ids.sort();
        }
        assert_eq!(topics, relevant);
    }
}
