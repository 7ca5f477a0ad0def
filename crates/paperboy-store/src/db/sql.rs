//! [`Sql`]: query text with `$N` placeholders and the values bound to them.
//!
//! Both backends read `$N` placeholders, so a query is written once. Unlike sqlx's
//! `QueryBuilder` (whose `Any` flavour writes `?`, which PostgreSQL rejects), this
//! builder is not tied to a backend: [`crate::db::Db`] binds the values to whichever
//! one it talks to.

use super::Value;

/// A query: its text and its parameters in placeholder order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sql {
    text: String,
    values: Vec<Value>,
}

impl Sql {
    /// A query whose text may already hold placeholders `$1…`; give their values
    /// with [`Sql::arg`], in order.
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            values: Vec::new(),
        }
    }

    /// The value of the next placeholder already written in the text.
    pub fn arg(mut self, value: impl Into<Value>) -> Self {
        self.values.push(value.into());
        self
    }

    /// Appends text.
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder for `value`.
    pub fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.values.push(value.into());
        let n = self.values.len();
        self.text.push('$');
        self.text.push_str(&n.to_string());
        self
    }

    /// Appends `(v1, v2, …)`: the list of an `IN (…)`.
    pub fn bind_list<V: Into<Value>>(&mut self, values: impl IntoIterator<Item = V>) -> &mut Self {
        self.push("(");
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(value);
        }
        self.push(")")
    }

    /// Appends `VALUES (…), (…)`: one tuple per row, each row's values in column
    /// order.
    pub fn bind_rows(&mut self, rows: impl IntoIterator<Item = Vec<Value>>) -> &mut Self {
        self.push(" VALUES ");
        for (i, row) in rows.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind_list(row);
        }
        self
    }

    /// The query text.
    #[cfg(test)]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text and the values, for binding.
    pub fn into_parts(self) -> (String, Vec<Value>) {
        (self.text, self.values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_order() {
        let mut sql = Sql::new("SELECT x FROM t WHERE a = $1").arg(1i64);
        sql.push(" AND b IN ")
            .bind_list(["p", "q"])
            .push(" AND c = ")
            .bind(Some(3i64));
        assert_eq!(
            sql.text(),
            "SELECT x FROM t WHERE a = $1 AND b IN ($2, $3) AND c = $4"
        );
        let (_, values) = sql.into_parts();
        assert_eq!(values.len(), 4);
        assert_eq!(values[1], Value::from("p"));
    }

    #[test]
    fn rows_become_tuples() {
        let mut sql = Sql::new("INSERT INTO t (a, b)");
        sql.bind_rows([
            vec![Value::from(1i64), Value::from("x")],
            vec![Value::from(2i64), Value::from("y")],
        ]);
        assert_eq!(sql.text(), "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)");
    }
}
