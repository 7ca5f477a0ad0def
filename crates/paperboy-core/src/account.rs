//! Who a reader is: an email address, a username, a role.

use std::fmt;

/// Why an email address or username was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    /// Not an address mail can be sent to.
    #[error("`{0}` is not an email address (expected name@example.org)")]
    Email(String),
    /// Not a usable username.
    #[error(
        "`{0}` is not a usable username: 2 to 32 letters, digits, `-` or `_`, starting with a letter or digit"
    )]
    Username(String),
    /// Not one of the roles.
    #[error("`{0}` is not a role (reader, moderator or admin)")]
    Role(String),
}

/// Longest email address accepted (RFC 5321's path limit).
const MAX_EMAIL_CHARS: usize = 254;

/// An email address, trimmed, with its domain in lower case. Accounts are found by
/// the address in lower case ([`Email::key`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// Checks `text`: one `@`, a non-empty local part without spaces or control
    /// characters, a domain with a dot, nothing that could break a mail header.
    pub fn parse(text: &str) -> Result<Self, AccountError> {
        let trimmed = text.trim();
        let refuse = || AccountError::Email(trimmed.chars().take(80).collect());
        if trimmed.chars().count() > MAX_EMAIL_CHARS {
            return Err(refuse());
        }
        let (local, domain) = trimmed.rsplit_once('@').ok_or_else(refuse)?;
        let header_safe = |s: &str| {
            !s.is_empty()
                && !s
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || "<>,;\"()[]\\@".contains(c))
        };
        let domain_ok = header_safe(domain)
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..");
        if !header_safe(local) || !domain_ok {
            return Err(refuse());
        }
        Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    /// The address as given (domain in lower case).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The address in lower case: what accounts and subscriptions are keyed by.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }

    /// The part before the `@`.
    pub fn local_part(&self) -> &str {
        self.0.rsplit_once('@').map_or(&self.0, |(local, _)| local)
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Longest username.
const MAX_USERNAME_CHARS: usize = 32;

/// Names that would read as the site speaking, or collide with paths.
const RESERVED_USERNAMES: &[&str] = &[
    "admin",
    "api",
    "deleted",
    "login",
    "logout",
    "moderator",
    "paperboy",
    "settings",
    "static",
    "system",
];

/// A username: 2 to 32 ASCII letters, digits, `-` and `_`, starting with a letter or
/// digit. Unique without regard to case ([`Username::key`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    /// Checks `text` (trimmed).
    pub fn parse(text: &str) -> Result<Self, AccountError> {
        let name = text.trim();
        let valid = (2..=MAX_USERNAME_CHARS).contains(&name.len())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            && name.starts_with(|c: char| c.is_ascii_alphanumeric())
            && !RESERVED_USERNAMES.contains(&name.to_ascii_lowercase().as_str());
        if valid {
            Ok(Self(name.to_owned()))
        } else {
            Err(AccountError::Username(name.chars().take(40).collect()))
        }
    }

    /// A username made from an email address's local part: characters a username
    /// may not hold become `-`, cut to the longest length, padded when too short.
    /// `None` when nothing usable is left (the caller asks for one).
    pub fn suggest(email: &Email) -> Option<Self> {
        let cleaned: String = email
            .local_part()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let trimmed = cleaned.trim_matches(|c| c == '-' || c == '_');
        let cut: String = trimmed.chars().take(MAX_USERNAME_CHARS).collect();
        Self::parse(&cut).ok()
    }

    /// The name as chosen.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name in lower case, unique across accounts.
    pub fn key(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Role {
    /// Reads, submits, votes, comments.
    #[default]
    Reader,
    /// And hides comments and papers, verifies authorship claims.
    Moderator,
    /// And curates the daily lists and manages accounts.
    Admin,
}

impl Role {
    /// The role's name as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reader => "reader",
            Self::Moderator => "moderator",
            Self::Admin => "admin",
        }
    }

    /// Parses a stored or typed role name.
    pub fn parse(text: &str) -> Result<Self, AccountError> {
        match text {
            "reader" => Ok(Self::Reader),
            "moderator" => Ok(Self::Moderator),
            "admin" => Ok(Self::Admin),
            other => Err(AccountError::Role(other.chars().take(40).collect())),
        }
    }

    /// Whether this role moderates (moderators and admins).
    pub fn moderates(self) -> bool {
        self >= Self::Moderator
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_checked_and_their_domain_lower_cased() {
        let email = Email::parse("  Ada.Lovelace@Example.ORG ").expect("valid");
        assert_eq!(email.as_str(), "Ada.Lovelace@example.org");
        assert_eq!(email.key(), "ada.lovelace@example.org");
        assert_eq!(email.local_part(), "Ada.Lovelace");
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.org",
            "ada@localhost",
            "ada lovelace@example.org",
            "ada@example..org",
            "ada@example.org\r\nBcc: x@y.z",
            "<ada>@example.org",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert!(Email::parse(&format!("{}@example.org", "a".repeat(250))).is_err());
    }

    #[test]
    fn usernames_are_short_plain_and_not_reserved() {
        assert_eq!(
            Username::parse("ada_l-2").expect("valid").as_str(),
            "ada_l-2"
        );
        assert_eq!(Username::parse("AdaL").expect("valid").key(), "adal");
        for bad in [
            "a",
            "-ada",
            "ada lovelace",
            "ada<script>",
            "admin",
            "Admin",
            &"a".repeat(33),
            "adä",
        ] {
            assert!(Username::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn a_username_is_suggested_from_the_address() {
        let suggest = |address: &str| {
            Username::suggest(&Email::parse(address).expect("valid")).map(|u| u.to_string())
        };
        assert_eq!(
            suggest("ada.lovelace@example.org").as_deref(),
            Some("ada-lovelace")
        );
        assert_eq!(suggest("x@example.org"), None, "too short");
        assert_eq!(suggest("admin@example.org"), None, "reserved");
        assert_eq!(suggest("+++@example.org"), None);
    }

    #[test]
    fn roles_round_trip_and_order_by_power() {
        for role in [Role::Reader, Role::Moderator, Role::Admin] {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
        }
        assert!(Role::Admin.moderates() && Role::Moderator.moderates());
        assert!(!Role::Reader.moderates());
        assert!(Role::parse("root").is_err());
    }
}
