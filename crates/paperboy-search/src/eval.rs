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

/// One evaluation query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalQuery {
    /// What the user types.
    pub query: String,
    /// The papers the user means.
    pub relevant: Vec<ArxivId>,
    /// A label for per-kind figures (`description`, `keyword`, ...).
    pub kind: String,
}

/// Reads a TSV file: a header line, then `query<TAB>id[,id...]<TAB>kind` (kind
/// optional). Says which line is wrong.
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
        let relevant = ids
            .split(',')
            .map(|id| ArxivId::parse(id).map_err(|e| format!("line {}: {e}", number + 1)))
            .collect::<Result<Vec<_>, _>>()?;
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
    /// Mean share of the relevant papers found in the top 10.
    pub recall_at_10: f64,
    /// Mean reciprocal rank of the first relevant paper (within the top 100).
    pub mrr: f64,
    /// Mean nDCG of the top 10 (binary relevance).
    pub ndcg_at_10: f64,
}

impl Metrics {
    fn add(&mut self, one: (f64, f64, f64)) {
        self.queries += 1;
        self.recall_at_10 += one.0;
        self.mrr += one.1;
        self.ndcg_at_10 += one.2;
    }

    fn finish(mut self) -> Self {
        if self.queries > 0 {
            let n = self.queries as f64;
            self.recall_at_10 /= n;
            self.mrr /= n;
            self.ndcg_at_10 /= n;
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
    let recall = found as f64 / relevant.len() as f64;
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

/// The figures of one ranker.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModeReport {
    /// The ranker asked for.
    pub mode: &'static str,
    /// Over all queries.
    pub overall: Metrics,
    /// Per query kind.
    pub by_kind: BTreeMap<String, Metrics>,
    /// Median milliseconds per query (in process, hydration included).
    pub median_ms: f64,
}

/// Runs every query with `mode` and scores the rankings.
pub async fn evaluate(
    engine: &SearchEngine,
    queries: &[EvalQuery],
    mode: SearchMode,
) -> Result<ModeReport> {
    let mut overall = Metrics::default();
    let mut by_kind: BTreeMap<String, Metrics> = BTreeMap::new();
    let mut times = Vec::with_capacity(queries.len());
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
        let ranked: Vec<ArxivId> = page.hits.into_iter().map(|h| h.record.paper.id).collect();
        let one = score(&ranked, &q.relevant);
        overall.add(one);
        by_kind.entry(q.kind.clone()).or_default().add(one);
    }
    times.sort_by(f64::total_cmp);
    Ok(ModeReport {
        mode: mode.name(),
        overall: overall.finish(),
        by_kind: by_kind.into_iter().map(|(k, m)| (k, m.finish())).collect(),
        median_ms: times.get(times.len() / 2).copied().unwrap_or(0.0),
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
    }

    #[test]
    fn the_committed_evaluation_set_parses() {
        let text =
            std::fs::read_to_string(paperboy_testkit::workspace_root().join("eval/queries.tsv"))
                .unwrap();
        let queries = parse_tsv(&text).unwrap();
        assert!(queries.len() >= 100);
        assert!(queries.iter().filter(|q| q.kind == "description").count() * 2 > queries.len());
    }
}
