//! The tables a copy moves, with their columns and keys, and the SQL that reads and
//! writes them.

use crate::db::{ColumnType, Sql, Value};

use ColumnType::{Bytes, Int, Text};

/// How the copy treats the rows a target table has already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// The target holds what an earlier, interrupted copy wrote: rows are appended
    /// after its largest key, and any other row is refused.
    Append,
    /// Every row is written over the target's: rows the migrations seed (`counters`).
    Overwrite,
}

/// A table the copy moves: its columns, primary-key columns first.
#[derive(Debug)]
pub struct CopiedTable {
    name: &'static str,
    columns: &'static [(&'static str, ColumnType)],
    key_len: usize,
    pub(super) mode: Mode,
    /// Columns the copy writes as this value whatever the source holds.
    reset: &'static [(&'static str, Value)],
}

/// Every table, parents before the tables whose rows reference them.
static TABLES: &[CopiedTable] = &[
    CopiedTable {
        name: "papers",
        columns: &[
            ("id", Text),
            ("version", Int),
            ("bib_source", Text),
            ("title", Text),
            ("summary", Text),
            ("authors", Text),
            ("categories", Text),
            ("primary_category", Text),
            ("comments", Text),
            ("journal_ref", Text),
            ("doi", Text),
            ("license", Text),
            ("published_ms", Int),
            ("updated_ms", Int),
            ("announced", Text),
            ("github_repo", Text),
            ("project_page", Text),
            ("links", Text),
            ("github_stars", Int),
            ("thumbnail_url", Text),
            ("ai_summary", Text),
            ("ai_keywords", Text),
            ("sort_ms", Int),
            ("first_seen_ms", Int),
            ("change_seq", Int),
        ],
        key_len: 1,
        mode: Mode::Append,
        reset: &[],
    },
    CopiedTable {
        name: "paper_categories",
        columns: &[("category", Text), ("paper_id", Text)],
        key_len: 2,
        mode: Mode::Append,
        reset: &[],
    },
    CopiedTable {
        name: "firehose",
        columns: &[("day", Text), ("paper_id", Text)],
        key_len: 2,
        mode: Mode::Append,
        reset: &[],
    },
    CopiedTable {
        name: "daily_entries",
        columns: &[
            ("day", Text),
            ("paper_id", Text),
            ("submitter_name", Text),
            ("submitter_fullname", Text),
            ("submitter_avatar", Text),
            ("submitted_ms", Int),
            ("upvotes", Int),
            ("num_comments", Int),
        ],
        key_len: 2,
        mode: Mode::Append,
        reset: &[],
    },
    CopiedTable {
        name: "counters",
        columns: &[("name", Text), ("value", Int)],
        key_len: 1,
        mode: Mode::Overwrite,
        reset: &[],
    },
    CopiedTable {
        name: "harvest_checkpoints",
        columns: &[
            ("source", Text),
            ("from_day", Text),
            ("until_day", Text),
            ("resumption_token", Text),
            ("pages", Int),
            ("records", Int),
            ("run_datestamp", Text),
            ("last_datestamp", Text),
            ("updated_ms", Int),
        ],
        key_len: 1,
        mode: Mode::Append,
        reset: &[],
    },
    CopiedTable {
        name: "embeddings",
        columns: &[
            ("model", Text),
            ("paper_id", Text),
            ("dim", Int),
            ("vector", Bytes),
            ("text_hash", Int),
            ("source_seq", Int),
            ("stored_seq", Int),
        ],
        key_len: 2,
        mode: Mode::Append,
        reset: &[],
    },
    CopiedTable {
        name: "keyphrases",
        columns: &[
            ("paper_id", Text),
            ("phrases", Text),
            ("method", Text),
            ("text_hash", Int),
            ("source_seq", Int),
        ],
        key_len: 1,
        mode: Mode::Append,
        reset: &[],
    },
    CopiedTable {
        name: "summaries",
        columns: &[
            ("paper_id", Text),
            ("summary", Text),
            ("model", Text),
            ("attempts", Int),
            ("last_error", Text),
            ("next_attempt_ms", Int),
            ("updated_ms", Int),
        ],
        key_len: 1,
        mode: Mode::Append,
        reset: &[],
    },
    CopiedTable {
        name: "jobs",
        columns: &[
            ("name", Text),
            ("holder", Text),
            ("lease_until_ms", Int),
            ("next_run_ms", Int),
            ("runs", Int),
            ("last_finished_ms", Int),
            ("last_error", Text),
        ],
        key_len: 1,
        mode: Mode::Append,
        // Lease holders are instances of the old database: the copy starts free.
        reset: &[
            ("holder", Value::Text(None)),
            ("lease_until_ms", Value::Int(Some(0))),
        ],
    },
    CopiedTable {
        name: "users",
        columns: &[
            ("id", Text),
            ("email", Text),
            ("email_key", Text),
            ("username", Text),
            ("username_key", Text),
            ("role", Text),
            ("created_ms", Int),
        ],
        key_len: 1,
        mode: Mode::Append,
        reset: &[],
    },
    CopiedTable {
        name: "login_tokens",
        columns: &[
            ("token_hash", Text),
            ("email", Text),
            ("created_ms", Int),
            ("expires_ms", Int),
            ("used_ms", Int),
        ],
        key_len: 1,
        mode: Mode::Append,
        reset: &[],
    },
    CopiedTable {
        name: "sessions",
        columns: &[
            ("id", Text),
            ("token_hash", Text),
            ("user_id", Text),
            ("created_ms", Int),
            ("last_seen_ms", Int),
            ("expires_ms", Int),
            ("user_agent", Text),
        ],
        key_len: 1,
        mode: Mode::Append,
        reset: &[],
    },
    CopiedTable {
        name: "api_tokens",
        columns: &[
            ("id", Text),
            ("token_hash", Text),
            ("user_id", Text),
            ("name", Text),
            ("created_ms", Int),
            ("last_used_ms", Int),
        ],
        key_len: 1,
        mode: Mode::Append,
        reset: &[],
    },
    CopiedTable {
        name: "votes",
        columns: &[("paper_id", Text), ("user_id", Text), ("created_ms", Int)],
        key_len: 2,
        mode: Mode::Append,
        reset: &[],
    },
    CopiedTable {
        name: "paper_activity",
        columns: &[("paper_id", Text), ("upvotes", Int), ("comments", Int)],
        key_len: 1,
        mode: Mode::Append,
        reset: &[],
    },
    CopiedTable {
        name: "comments",
        columns: &[
            ("id", Text),
            ("paper_id", Text),
            ("parent_id", Text),
            ("user_id", Text),
            ("body", Text),
            ("created_ms", Int),
            ("edited_ms", Int),
            ("hidden_reason", Text),
            ("hidden_by", Text),
            ("deleted_ms", Int),
        ],
        key_len: 1,
        mode: Mode::Append,
        reset: &[],
    },
    CopiedTable {
        name: "collections",
        columns: &[
            ("id", Text),
            ("user_id", Text),
            ("name", Text),
            ("public", Int),
            ("created_ms", Int),
            ("updated_ms", Int),
        ],
        key_len: 1,
        mode: Mode::Append,
        reset: &[],
    },
    CopiedTable {
        name: "collection_papers",
        columns: &[
            ("collection_id", Text),
            ("paper_id", Text),
            ("added_ms", Int),
        ],
        key_len: 2,
        mode: Mode::Append,
        reset: &[],
    },
    CopiedTable {
        name: "author_claims",
        columns: &[
            ("paper_id", Text),
            ("author_index", Int),
            ("user_id", Text),
            ("status", Text),
            ("created_ms", Int),
            ("decided_by", Text),
            ("decided_ms", Int),
        ],
        key_len: 2,
        mode: Mode::Append,
        reset: &[],
    },
    CopiedTable {
        name: "paper_moderation",
        columns: &[
            ("paper_id", Text),
            ("hidden_reason", Text),
            ("hidden_by", Text),
            ("hidden_ms", Int),
        ],
        key_len: 1,
        mode: Mode::Append,
        reset: &[],
    },
    CopiedTable {
        name: "repo_stars",
        columns: &[("repo", Text), ("observed_ms", Int), ("stars", Int)],
        key_len: 2,
        mode: Mode::Append,
        reset: &[],
    },
    CopiedTable {
        name: "subscriptions",
        columns: &[
            ("id", Text),
            ("email", Text),
            ("email_key", Text),
            ("status", Text),
            ("frequency", Text),
            ("prefs", Text),
            ("confirm_hash", Text),
            ("confirm_expires_ms", Int),
            ("paused_reason", Text),
            ("created_ms", Int),
            ("confirmed_ms", Int),
            ("updated_ms", Int),
        ],
        key_len: 1,
        mode: Mode::Append,
        reset: &[],
    },
    CopiedTable {
        name: "digest_deliveries",
        columns: &[
            ("subscription_id", Text),
            ("period", Text),
            ("until_day", Text),
            ("outbox_id", Text),
            ("papers", Int),
            ("created_ms", Int),
        ],
        key_len: 2,
        mode: Mode::Append,
        reset: &[],
    },
    CopiedTable {
        name: "digest_papers",
        columns: &[
            ("subscription_id", Text),
            ("paper_id", Text),
            ("period", Text),
        ],
        key_len: 2,
        mode: Mode::Append,
        reset: &[],
    },
    CopiedTable {
        name: "reader_signals",
        columns: &[
            ("reader", Text),
            ("paper_id", Text),
            ("signal", Text),
            ("created_ms", Int),
        ],
        key_len: 2,
        mode: Mode::Append,
        reset: &[],
    },
    CopiedTable {
        name: "site_secrets",
        columns: &[("name", Text), ("value", Text)],
        key_len: 1,
        mode: Mode::Append,
        reset: &[],
    },
    CopiedTable {
        name: "outbox",
        columns: &[
            ("id", Text),
            ("kind", Text),
            ("recipient", Text),
            ("message", Text),
            ("dedupe_key", Text),
            ("created_ms", Int),
            ("next_attempt_ms", Int),
            ("attempts", Int),
            ("claimed_by", Text),
            ("claim_until_ms", Int),
            ("sent_ms", Int),
            ("failed_ms", Int),
            ("last_error", Text),
        ],
        key_len: 1,
        mode: Mode::Append,
        // Claims belong to instances of the old database: the copy starts unclaimed.
        reset: &[
            ("claimed_by", Value::Text(None)),
            ("claim_until_ms", Value::Int(Some(0))),
        ],
    },
];

/// Every table a copy moves, in the order it moves them.
pub fn copied_tables() -> &'static [CopiedTable] {
    TABLES
}

/// Bound parameters per insert statement. Far below the engines' limits (SQLite
/// 32,766, PostgreSQL 65,535) on purpose: SQLite looks each `$N` up by name in a list
/// (and sqlx asks it for every parameter's name), so a statement costs the square of
/// its parameters. Measured copying 321,208 rows into SQLite: 46,000 rows/s at 200
/// parameters, 43,000 at 500, 16,000 at 4,000, 5,600 at 16,000; into PostgreSQL
/// 31,000 rows/s at 500 and 34,000 at 16,000.
const PARAMS_PER_STATEMENT: usize = 500;

impl CopiedTable {
    /// The table's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Its columns and their types, primary-key columns first.
    pub fn columns(&self) -> &'static [(&'static str, ColumnType)] {
        self.columns
    }

    /// The columns of its primary key, in key order.
    pub fn key_columns(&self) -> impl Iterator<Item = &'static str> {
        self.columns[..self.key_len].iter().map(|(name, _)| *name)
    }

    /// The column types, in order: how its rows are read.
    pub(super) fn types(&self) -> Vec<ColumnType> {
        self.columns.iter().map(|(_, ty)| *ty).collect()
    }

    /// The types of the key columns.
    pub(super) fn key_types(&self) -> Vec<ColumnType> {
        self.columns[..self.key_len]
            .iter()
            .map(|(_, ty)| *ty)
            .collect()
    }

    /// The key of `row` (one of this table's rows).
    pub(super) fn key_of(&self, row: &[Value]) -> Vec<Value> {
        row[..self.key_len.min(row.len())].to_vec()
    }

    /// `row` as the copy writes it: the reset columns set.
    pub(super) fn as_copied(&self, row: &mut [Value]) {
        for (column, value) in self.reset {
            if let Some(i) = self.columns.iter().position(|(name, _)| name == column) {
                row[i] = value.clone();
            }
        }
    }

    fn column_list(&self) -> String {
        let names: Vec<&str> = self.columns.iter().map(|(name, _)| *name).collect();
        names.join(", ")
    }

    fn key_list(&self) -> String {
        self.key_columns().collect::<Vec<_>>().join(", ")
    }

    /// The rows with a key above `after` (when given) and at most `upto` (when
    /// given), in key order, at most `limit`. Keys compare as row values, byte-wise on
    /// both engines (PostgreSQL's key columns use the "C" collation).
    pub(super) fn select(
        &self,
        after: Option<&[Value]>,
        upto: Option<&[Value]>,
        limit: u32,
    ) -> Sql {
        let key = format!("({})", self.key_list());
        let mut sql = Sql::new(format!("SELECT {} FROM {}", self.column_list(), self.name));
        let mut joiner = " WHERE ";
        if let Some(after) = after {
            sql.push(joiner)
                .push(&key)
                .push(" > ")
                .bind_list(after.iter().cloned());
            joiner = " AND ";
        }
        if let Some(upto) = upto {
            sql.push(joiner)
                .push(&key)
                .push(" <= ")
                .bind_list(upto.iter().cloned());
        }
        sql.push(" ORDER BY ")
            .push(&self.key_list())
            .push(" LIMIT ")
            .bind(i64::from(limit));
        sql
    }

    /// The key of the last row, in key order.
    pub(super) fn select_last_key(&self) -> Sql {
        let descending: Vec<String> = self.key_columns().map(|c| format!("{c} DESC")).collect();
        Sql::new(format!(
            "SELECT {} FROM {} ORDER BY {} LIMIT 1",
            self.key_list(),
            self.name,
            descending.join(", ")
        ))
    }

    /// How many rows it has, selected `AS v`.
    pub(super) fn select_count(&self) -> Sql {
        Sql::new(format!("SELECT COUNT(*) AS v FROM {}", self.name))
    }

    /// The statements writing `rows`: rows already there are left alone (appended
    /// tables) or overwritten (overwritten tables).
    pub(super) fn inserts(&self, rows: Vec<Vec<Value>>) -> Vec<Sql> {
        let per_statement = (PARAMS_PER_STATEMENT / self.columns.len()).max(1);
        let mut rows = rows.into_iter().peekable();
        let mut statements = Vec::new();
        while rows.peek().is_some() {
            let mut sql = Sql::new(format!(
                "INSERT INTO {} ({})",
                self.name,
                self.column_list()
            ));
            sql.bind_rows(rows.by_ref().take(per_statement));
            sql.push(&self.on_conflict());
            statements.push(sql);
        }
        statements
    }

    fn on_conflict(&self) -> String {
        match self.mode {
            Mode::Append => " ON CONFLICT DO NOTHING".to_owned(),
            Mode::Overwrite => {
                let set: Vec<String> = self.columns[self.key_len..]
                    .iter()
                    .map(|(c, _)| format!("{c} = excluded.{c}"))
                    .collect();
                format!(
                    " ON CONFLICT ({}) DO UPDATE SET {}",
                    self.key_list(),
                    set.join(", ")
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str) -> &'static CopiedTable {
        TABLES.iter().find(|t| t.name == name).unwrap()
    }

    #[test]
    fn composite_keys_page_as_row_values() {
        let after = [Value::from("2025-01-02"), Value::from("2501.00001")];
        let sql = table("firehose").select(Some(&after), None, 10);
        assert_eq!(
            sql.text(),
            "SELECT day, paper_id FROM firehose WHERE (day, paper_id) > ($1, $2) \
             ORDER BY day, paper_id LIMIT $3"
        );
        let sql = table("papers").select(None, Some(&after[..1]), 5);
        assert!(
            sql.text()
                .ends_with("FROM papers WHERE (id) <= ($1) ORDER BY id LIMIT $2"),
            "{}",
            sql.text()
        );
    }

    #[test]
    fn counters_are_overwritten_and_other_rows_kept() {
        let rows = vec![vec![Value::from("change_seq"), Value::from(7i64)]];
        let sql = &table("counters").inserts(rows)[0];
        assert!(
            sql.text()
                .ends_with("ON CONFLICT (name) DO UPDATE SET value = excluded.value"),
            "{}",
            sql.text()
        );
        let rows = vec![vec![Value::from("cs.CL"), Value::from("2501.00001")]];
        let sql = &table("paper_categories").inserts(rows)[0];
        assert!(sql.text().ends_with("ON CONFLICT DO NOTHING"));
    }

    #[test]
    fn big_chunks_are_split_under_the_parameter_limit() {
        let papers = table("papers");
        let row = vec![Value::Int(None); papers.columns.len()];
        let statements = papers.inserts(vec![row; 2_000]);
        assert!(statements.len() > 1);
        for sql in &statements {
            assert!(sql.text().matches('$').count() <= PARAMS_PER_STATEMENT);
        }
    }

    #[test]
    fn job_leases_are_cleared() {
        let jobs = table("jobs");
        let mut row = vec![
            Value::from("harvest"),
            Value::from("host-1"),
            Value::from(99i64),
            Value::from(5i64),
            Value::from(3i64),
            Value::Int(None),
            Value::Text(None),
        ];
        jobs.as_copied(&mut row);
        assert_eq!((&row[1], &row[2]), (&Value::Text(None), &Value::from(0i64)));
        assert_eq!(row[3], Value::from(5i64));
    }
}
