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

    /// The text with its `$N` placeholders written as anonymous `?` in order of use,
    /// and the values in that order (a value used twice is bound twice).
    pub fn into_positional(self) -> (String, Vec<Value>) {
        let mut text = String::with_capacity(self.text.len());
        let mut values = Vec::with_capacity(self.values.len());
        let mut rest = self.text.as_str();
        while let Some(at) = rest.find('$') {
            let digits = rest[at + 1..]
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len() - at - 1);
            let number = rest[at + 1..at + 1 + digits].parse::<usize>().ok();
            match number.and_then(|n| self.values.get(n.wrapping_sub(1))) {
                Some(value) => {
                    text.push_str(&rest[..at]);
                    text.push('?');
                    values.push(value.clone());
                }
                // Not a placeholder of ours: keep it as written.
                None => text.push_str(&rest[..=at + digits]),
            }
            rest = &rest[at + 1 + digits..];
        }
        text.push_str(rest);
        (text, values)
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
    fn numbered_placeholders_become_positional_ones() {
        let sql = Sql::new("SELECT * FROM t WHERE a < $1 AND b > $1 AND c = $2 AND d = '$x'")
            .arg(7i64)
            .arg("y");
        let (text, values) = sql.into_positional();
        assert_eq!(
            text,
            "SELECT * FROM t WHERE a < ? AND b > ? AND c = ? AND d = '$x'"
        );
        assert_eq!(
            values,
            [Value::from(7i64), Value::from(7i64), Value::from("y")]
        );
        let mut many = Sql::new("INSERT INTO t (a)");
        many.bind_rows((0..12i64).map(|i| vec![Value::from(i)]));
        let (text, values) = many.into_positional();
        assert_eq!(text.matches('?').count(), 12);
        assert_eq!(
            values[11],
            Value::from(11i64),
            "$12 is not $1 followed by 2"
        );
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
