//! [`Value`]: a bound parameter that encodes for either backend.

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Database, Encode, Postgres, Sqlite, Type};

/// A parameter of a query. The store's column types are few (text, 64-bit integers,
/// bytes, each possibly NULL), so one enum carries every parameter and encodes
/// itself for SQLite and PostgreSQL alike.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Value {
    /// `TEXT`, possibly NULL.
    Text(Option<String>),
    /// `BIGINT`, possibly NULL.
    Int(Option<i64>),
    /// `BLOB` / `BYTEA`.
    Bytes(Vec<u8>),
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Self::Text(Some(v))
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Self::Text(Some(v.to_owned()))
    }
}

impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Self::Text(Some(v.clone()))
    }
}

impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Self {
        Self::Text(v)
    }
}

impl From<Option<&str>> for Value {
    fn from(v: Option<&str>) -> Self {
        Self::Text(v.map(str::to_owned))
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Self::Int(Some(v))
    }
}

impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        Self::Int(v)
    }
}

impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Self::Bytes(v)
    }
}

/// `Encode` and `Type` for one backend: each variant encodes as its inner type and
/// tells the backend that type (PostgreSQL types its parameters).
macro_rules! encode_value_for {
    ($db:ty) => {
        impl Type<$db> for Value {
            fn type_info() -> <$db as Database>::TypeInfo {
                <String as Type<$db>>::type_info()
            }
        }

        impl<'q> Encode<'q, $db> for Value {
            fn encode_by_ref(
                &self,
                buf: &mut <$db as Database>::ArgumentBuffer,
            ) -> Result<IsNull, BoxDynError> {
                match self {
                    Self::Text(v) => <Option<String> as Encode<'q, $db>>::encode_by_ref(v, buf),
                    Self::Int(v) => <Option<i64> as Encode<'q, $db>>::encode_by_ref(v, buf),
                    Self::Bytes(v) => <Vec<u8> as Encode<'q, $db>>::encode_by_ref(v, buf),
                }
            }

            fn produces(&self) -> Option<<$db as Database>::TypeInfo> {
                Some(match self {
                    Self::Text(_) => <String as Type<$db>>::type_info(),
                    Self::Int(_) => <i64 as Type<$db>>::type_info(),
                    Self::Bytes(_) => <Vec<u8> as Type<$db>>::type_info(),
                })
            }
        }
    };
}

encode_value_for!(Sqlite);
encode_value_for!(Postgres);
