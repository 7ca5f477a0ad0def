//! Accounts and how readers prove who they are: one-time sign-in links, session
//! cookies, personal API tokens. Every secret is stored as its hash
//! ([`crate::secret::hash_secret`]); callers pass hashes, never secrets.

use std::time::Duration;

use jiff::Timestamp;
use paperboy_core::{Email, Mail, Role, Username};

use crate::codec::{from_ms, ms};
use crate::db::{Scalar, Sql};
use crate::outbox::enqueue;
use crate::papers::BUMP_LIST_SEQ;
use crate::secret::new_id;
use crate::{Result, Store, StoreError};

/// How often a session's "last seen" time is written, at most.
const TOUCH_EVERY_MS: i64 = 5 * 60 * 1000;

/// An account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Its id (24 hex characters).
    pub id: String,
    /// Its email address.
    pub email: String,
    /// Its username; `None` until the reader chooses one.
    pub username: Option<String>,
    /// What it may do.
    pub role: Role,
    /// When it was created.
    pub created: Timestamp,
}

/// The columns [`UserRow`] reads, from `users u`.
const USER_COLUMNS: &str = "u.id, u.email, u.username, u.role, u.created_ms";

#[derive(Debug, sqlx::FromRow)]
struct UserRow {
    id: String,
    email: String,
    username: Option<String>,
    role: String,
    created_ms: i64,
}

impl UserRow {
    fn into_user(self) -> Result<User> {
        Ok(User {
            role: Role::parse(&self.role)
                .map_err(|e| StoreError::corrupt(format!("role of user {}", self.id), e))?,
            created: from_ms("user creation time", self.created_ms)?,
            id: self.id,
            email: self.email,
            username: self.username,
        })
    }
}

/// A signed-in browser, as its owner sees it in the session list.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionInfo {
    /// Names the session (not a secret).
    pub id: String,
    /// When it was created (ms since the epoch).
    pub created_ms: i64,
    /// When it was last used (ms since the epoch, to five minutes).
    pub last_seen_ms: i64,
    /// The browser's User-Agent when it signed in.
    pub user_agent: Option<String>,
}

/// A personal API token, as its owner sees it (the secret itself is not kept).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiTokenInfo {
    /// Names the token (not a secret).
    pub id: String,
    /// The name its owner gave it.
    pub name: String,
    /// When it was created (ms since the epoch).
    pub created_ms: i64,
    /// When it was last used (ms since the epoch), if ever.
    pub last_used_ms: Option<i64>,
}

/// A session found by its cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionUser {
    /// The session's id.
    pub session_id: String,
    /// Its account.
    pub user: User,
}

#[derive(Debug, sqlx::FromRow)]
struct SessionUserRow {
    session_id: String,
    last_seen_ms: i64,
    #[sqlx(flatten)]
    user: UserRow,
}

/// `duration` in whole milliseconds, saturating.
pub(crate) fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

impl Store {
    pub(crate) fn now_ms(&self) -> i64 {
        ms(self.clock.now())
    }

    /// Stores a sign-in link's hash for `email`, valid for `ttl`, and queues `mail`
    /// (which carries the link) in the same transaction: the link exists exactly
    /// when its message is on its way.
    pub async fn create_login_token(
        &self,
        email: &Email,
        token_hash: &str,
        ttl: Duration,
        mail: &Mail,
    ) -> Result<()> {
        let now = self.now_ms();
        let mut tx = self.db.begin(true).await?;
        tx.execute(
            Sql::new(
                "INSERT INTO login_tokens (token_hash, email, created_ms, expires_ms) \
                 VALUES ($1, $2, $3, $4)",
            )
            .arg(token_hash)
            .arg(email.as_str())
            .arg(now)
            .arg(now.saturating_add(millis(ttl))),
        )
        .await?;
        enqueue(&mut tx, "sign-in", mail, None, now).await?;
        // Expired links are of no use to anyone: forget them as new ones arrive.
        tx.execute(Sql::new("DELETE FROM login_tokens WHERE expires_ms < $1").arg(now))
            .await?;
        tx.commit().await
    }

    /// Uses up the sign-in link whose hash is `token_hash`: its address when the link
    /// exists, is unused and has not expired, else `None`. A link works once.
    pub async fn redeem_login_token(&self, token_hash: &str) -> Result<Option<Email>> {
        let sql = Sql::new(
            "UPDATE login_tokens SET used_ms = $2 \
             WHERE token_hash = $1 AND used_ms IS NULL AND expires_ms > $2 RETURNING email AS v",
        )
        .arg(token_hash)
        .arg(self.now_ms());
        let Some(row) = self.db.fetch_optional::<Scalar<String>>(sql).await? else {
            return Ok(None);
        };
        Email::parse(&row.v)
            .map(Some)
            .map_err(|e| StoreError::corrupt("sign-in address", e))
    }

    /// Creates an account for `email`. [`StoreError::Conflict`] when the address or
    /// the username belongs to an account already.
    pub async fn create_user(
        &self,
        email: &Email,
        username: Option<&Username>,
        role: Role,
    ) -> Result<User> {
        let id = new_id()?;
        let sql = Sql::new(
            "INSERT INTO users (id, email, email_key, username, username_key, role, created_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
        )
        .arg(id.as_str())
        .arg(email.as_str())
        .arg(email.key())
        .arg(username.map(Username::as_str))
        .arg(username.map(Username::key))
        .arg(role.as_str())
        .arg(self.now_ms());
        if self.db.execute(sql).await? == 0 {
            return Err(if self.user_by_email(email).await?.is_some() {
                StoreError::Conflict(format!(
                    "an account with the address {email} exists already"
                ))
            } else {
                StoreError::Conflict(format!(
                    "the username {} is taken",
                    username.map(Username::as_str).unwrap_or_default()
                ))
            });
        }
        self.user_by_id(&id)
            .await?
            .ok_or_else(|| StoreError::corrupt("new account", "not found after insert"))
    }

    /// The account of `email`, created (without a username, as a reader) when there
    /// is none yet.
    pub async fn find_or_create_user(&self, email: &Email) -> Result<User> {
        if let Some(user) = self.user_by_email(email).await? {
            return Ok(user);
        }
        match self.create_user(email, None, Role::Reader).await {
            // Created by a concurrent sign-in of the same address.
            Err(StoreError::Conflict(_)) => self
                .user_by_email(email)
                .await?
                .ok_or_else(|| StoreError::corrupt("account", "vanished after a conflict")),
            other => other,
        }
    }

    async fn user_where(&self, condition: &str, value: String) -> Result<Option<User>> {
        let sql = Sql::new(format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE {condition}"
        ))
        .arg(value);
        self.db
            .fetch_optional::<UserRow>(sql)
            .await?
            .map(UserRow::into_user)
            .transpose()
    }

    /// The account with this id.
    pub async fn user_by_id(&self, id: &str) -> Result<Option<User>> {
        self.user_where("u.id = $1", id.to_owned()).await
    }

    /// The account of this address (any case).
    pub async fn user_by_email(&self, email: &Email) -> Result<Option<User>> {
        self.user_where("u.email_key = $1", email.key()).await
    }

    /// The account with this username (any case).
    pub async fn user_by_username(&self, name: &str) -> Result<Option<User>> {
        self.user_where("u.username_key = $1", name.to_ascii_lowercase())
            .await
    }

    /// Gives account `user_id` the username `name`. [`StoreError::Conflict`] when
    /// another account has it.
    pub async fn set_username(&self, user_id: &str, name: &Username) -> Result<()> {
        let sql = Sql::new(
            "UPDATE users SET username = $2, username_key = $3 WHERE id = $1 \
             AND NOT EXISTS (SELECT 1 FROM users o WHERE o.username_key = $3 AND o.id <> $1)",
        )
        .arg(user_id)
        .arg(name.as_str())
        .arg(name.key());
        match self.db.execute(sql).await {
            Ok(0) => Err(StoreError::Conflict(format!(
                "the username {name} is taken; choose another"
            ))),
            Ok(_) => Ok(()),
            Err(StoreError::Sqlx(sqlx::Error::Database(e))) if e.is_unique_violation() => Err(
                StoreError::Conflict(format!("the username {name} is taken; choose another")),
            ),
            Err(e) => Err(e),
        }
    }

    /// Deletes account `user_id` and what only it needs: sessions, tokens, sign-in
    /// links, votes (the papers' counts drop). Its comments stay, without an author
    /// ("deleted user"); its submissions stay on the lists.
    pub async fn delete_user(&self, user_id: &str) -> Result<bool> {
        let mut tx = self.db.begin(true).await?;
        let Some(email) = tx
            .fetch_optional::<Scalar<String>>(
                Sql::new("SELECT email_key AS v FROM users WHERE id = $1").arg(user_id),
            )
            .await?
        else {
            return Ok(false);
        };
        let voted: Vec<String> = tx
            .fetch_all::<Scalar<String>>(
                Sql::new("SELECT paper_id AS v FROM votes WHERE user_id = $1").arg(user_id),
            )
            .await?
            .into_iter()
            .map(|row| row.v)
            .collect();
        // Explicitly, not by cascade: the engines need not enforce foreign keys alike.
        tx.execute(
            Sql::new(
                "DELETE FROM collection_papers WHERE collection_id IN \
                 (SELECT id FROM collections WHERE user_id = $1)",
            )
            .arg(user_id),
        )
        .await?;
        for table in [
            "votes",
            "sessions",
            "api_tokens",
            "collections",
            "author_claims",
        ] {
            tx.execute(Sql::new(format!("DELETE FROM {table} WHERE user_id = $1")).arg(user_id))
                .await?;
        }
        tx.execute(Sql::new("UPDATE comments SET user_id = NULL WHERE user_id = $1").arg(user_id))
            .await?;
        tx.execute(Sql::new("DELETE FROM login_tokens WHERE lower(email) = $1").arg(email.v))
            .await?;
        tx.execute(Sql::new("DELETE FROM users WHERE id = $1").arg(user_id))
            .await?;
        for paper in &voted {
            tx.execute(
                Sql::new(
                    "UPDATE paper_activity SET upvotes = \
                     (SELECT COUNT(*) FROM votes WHERE paper_id = $1) WHERE paper_id = $1",
                )
                .arg(paper.as_str()),
            )
            .await?;
        }
        tx.execute(Sql::new(BUMP_LIST_SEQ)).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Sets the role of account `user_id`.
    pub async fn set_role(&self, user_id: &str, role: Role) -> Result<()> {
        let sql = Sql::new("UPDATE users SET role = $2 WHERE id = $1")
            .arg(user_id)
            .arg(role.as_str());
        self.db.execute(sql).await?;
        Ok(())
    }

    /// Starts a session for `user_id` whose cookie hashes to `token_hash`, valid for
    /// `ttl`. Returns the session's id.
    pub async fn create_session(
        &self,
        user_id: &str,
        token_hash: &str,
        ttl: Duration,
        user_agent: Option<&str>,
    ) -> Result<String> {
        let id = new_id()?;
        let now = self.now_ms();
        let user_agent = user_agent.map(|ua| ua.chars().take(200).collect::<String>());
        let sql = Sql::new(
            "INSERT INTO sessions (id, token_hash, user_id, created_ms, last_seen_ms, expires_ms, user_agent) \
             VALUES ($1, $2, $3, $4, $4, $5, $6)",
        )
        .arg(id.as_str())
        .arg(token_hash)
        .arg(user_id)
        .arg(now)
        .arg(now.saturating_add(millis(ttl)))
        .arg(user_agent);
        self.db.execute(sql).await?;
        Ok(id)
    }

    /// The live session whose cookie hashes to `token_hash`, with its account.
    pub async fn session_user(&self, token_hash: &str) -> Result<Option<SessionUser>> {
        let now = self.now_ms();
        let sql = Sql::new(format!(
            "SELECT s.id AS session_id, s.last_seen_ms, {USER_COLUMNS} FROM sessions s \
             JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_ms > $2"
        ))
        .arg(token_hash)
        .arg(now);
        let Some(row) = self.db.fetch_optional::<SessionUserRow>(sql).await? else {
            return Ok(None);
        };
        if now - row.last_seen_ms > TOUCH_EVERY_MS {
            let touch = Sql::new("UPDATE sessions SET last_seen_ms = $2 WHERE id = $1")
                .arg(row.session_id.as_str())
                .arg(now);
            self.db.execute(touch).await?;
        }
        Ok(Some(SessionUser {
            session_id: row.session_id,
            user: row.user.into_user()?,
        }))
    }

    /// The live sessions of `user_id`, most recently used first.
    pub async fn sessions_of(&self, user_id: &str) -> Result<Vec<SessionInfo>> {
        let sql = Sql::new(
            "SELECT id, created_ms, last_seen_ms, user_agent FROM sessions \
             WHERE user_id = $1 AND expires_ms > $2 ORDER BY last_seen_ms DESC, id",
        )
        .arg(user_id)
        .arg(self.now_ms());
        self.db.fetch_all(sql).await
    }

    /// Ends session `session_id` of `user_id`; false when there was no such session
    /// of theirs.
    pub async fn revoke_session(&self, user_id: &str, session_id: &str) -> Result<bool> {
        let sql = Sql::new("DELETE FROM sessions WHERE id = $1 AND user_id = $2")
            .arg(session_id)
            .arg(user_id);
        Ok(self.db.execute(sql).await? > 0)
    }

    /// Creates an API token for `user_id` whose secret hashes to `token_hash`.
    /// Returns the token's id.
    pub async fn create_api_token(
        &self,
        user_id: &str,
        name: &str,
        token_hash: &str,
    ) -> Result<String> {
        let id = new_id()?;
        let name: String = name.trim().chars().take(100).collect();
        let sql = Sql::new(
            "INSERT INTO api_tokens (id, token_hash, user_id, name, created_ms) VALUES ($1, $2, $3, $4, $5)",
        )
        .arg(id.as_str())
        .arg(token_hash)
        .arg(user_id)
        .arg(if name.is_empty() { "token".to_owned() } else { name })
        .arg(self.now_ms());
        self.db.execute(sql).await?;
        Ok(id)
    }

    /// The account whose API token hashes to `token_hash`; records the use.
    pub async fn api_token_user(&self, token_hash: &str) -> Result<Option<User>> {
        let sql = Sql::new(
            "UPDATE api_tokens SET last_used_ms = $2 WHERE token_hash = $1 RETURNING user_id AS v",
        )
        .arg(token_hash)
        .arg(self.now_ms());
        match self.db.fetch_optional::<Scalar<String>>(sql).await? {
            Some(row) => self.user_by_id(&row.v).await,
            None => Ok(None),
        }
    }

    /// The API tokens of `user_id`, newest first.
    pub async fn api_tokens_of(&self, user_id: &str) -> Result<Vec<ApiTokenInfo>> {
        let sql = Sql::new(
            "SELECT id, name, created_ms, last_used_ms FROM api_tokens WHERE user_id = $1 \
             ORDER BY created_ms DESC, id",
        )
        .arg(user_id);
        self.db.fetch_all(sql).await
    }

    /// Revokes token `token_id` of `user_id`; false when they have no such token.
    pub async fn revoke_api_token(&self, user_id: &str, token_id: &str) -> Result<bool> {
        let sql = Sql::new("DELETE FROM api_tokens WHERE id = $1 AND user_id = $2")
            .arg(token_id)
            .arg(user_id);
        Ok(self.db.execute(sql).await? > 0)
    }
}
