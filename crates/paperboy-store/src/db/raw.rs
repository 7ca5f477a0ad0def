//! Rows read generically: every column decoded by a given [`ColumnType`] into a
//! [`Value`], for code that treats every table alike (the store copy) instead of
//! reading a named row struct.

use sqlx::{ColumnIndex, Decode, Type};

use super::Value;

/// How one column is read into a [`Value`]: the three column types the schema uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ColumnType {
    /// `TEXT`, possibly NULL: [`Value::Text`].
    Text,
    /// `BIGINT`, possibly NULL: [`Value::Int`].
    Int,
    /// `BLOB` / `BYTEA`, never NULL: [`Value::Bytes`].
    Bytes,
}

/// The columns of every row, in order, decoded as `types` says.
pub(super) fn decode_rows<R>(
    rows: &[R],
    types: &[ColumnType],
) -> Result<Vec<Vec<Value>>, sqlx::Error>
where
    R: sqlx::Row,
    usize: ColumnIndex<R>,
    for<'r> Option<String>: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Option<i64>: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Vec<u8>: Decode<'r, R::Database> + Type<R::Database>,
{
    rows.iter()
        .map(|row| {
            types
                .iter()
                .enumerate()
                .map(|(i, ty)| {
                    Ok(match ty {
                        ColumnType::Text => Value::Text(row.try_get(i)?),
                        ColumnType::Int => Value::Int(row.try_get(i)?),
                        ColumnType::Bytes => Value::Bytes(row.try_get(i)?),
                    })
                })
                .collect()
        })
        .collect()
}
