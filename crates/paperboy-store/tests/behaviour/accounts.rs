//! Accounts, sign-in links, sessions, API tokens, local votes and the outbox, on
//! both engines.

use std::sync::Arc;
use std::time::Duration;

use jiff::civil::date;
use paperboy_core::{ArxivId, DailyEntry, Email, FixedClock, Mail, Role, Username};
use paperboy_store::secret::{hash_secret, new_secret};
use paperboy_store::*;
use paperboy_testkit::{TestDb, on_both_backends};

use super::common::paper;

on_both_backends!(
    a_sign_in_link_works_once_and_not_after_it_expires,
    addresses_and_usernames_are_unique_without_regard_to_case,
    sessions_and_api_tokens_are_found_by_hash_and_revoked_by_their_owner,
    local_votes_add_to_imported_counts_and_survive_reimport,
    the_outbox_hands_each_message_to_one_sender_and_retries_failures,
    a_subscription_confirms_once_within_48_hours_and_resubscribing_asks_again,
);

fn email(text: &str) -> Email {
    Email::parse(text).unwrap()
}

fn clock_at(ms: i64) -> Arc<FixedClock> {
    Arc::new(FixedClock::new(
        jiff::Timestamp::from_millisecond(ms).unwrap(),
    ))
}

async fn a_sign_in_link_works_once_and_not_after_it_expires(db: TestDb) {
    let clock = clock_at(1_000_000);
    let store = db.open_with(clock.clone()).await;
    let ada = email("ada@example.org");
    let link = new_secret("").unwrap();
    let mail = Mail::text(ada.as_str(), "Sign in", format!("https://x/login/{link}"));
    store
        .create_login_token(&ada, &hash_secret(&link), Duration::from_secs(900), &mail)
        .await
        .unwrap();
    assert_eq!(
        store.outbox_counts().await.unwrap().pending,
        1,
        "the link's mail is queued with it"
    );

    assert_eq!(store.redeem_login_token("not-a-hash").await.unwrap(), None);
    assert_eq!(
        store.redeem_login_token(&hash_secret(&link)).await.unwrap(),
        Some(ada.clone())
    );
    assert_eq!(
        store.redeem_login_token(&hash_secret(&link)).await.unwrap(),
        None,
        "single use"
    );

    let late = new_secret("").unwrap();
    store
        .create_login_token(&ada, &hash_secret(&late), Duration::from_secs(900), &mail)
        .await
        .unwrap();
    clock.set(jiff::Timestamp::from_millisecond(1_000_000 + 901_000).unwrap());
    assert_eq!(
        store.redeem_login_token(&hash_secret(&late)).await.unwrap(),
        None,
        "expired"
    );
}

async fn addresses_and_usernames_are_unique_without_regard_to_case(db: TestDb) {
    let store = db.open().await;
    let ada = store
        .create_user(
            &email("Ada@Example.org"),
            Some(&Username::parse("Ada").unwrap()),
            Role::Admin,
        )
        .await
        .unwrap();
    assert_eq!(
        (ada.username.as_deref(), ada.role),
        (Some("Ada"), Role::Admin)
    );

    let again = store
        .create_user(&email("ada@example.org"), None, Role::Reader)
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(m)) if m.contains("exists")));
    let taken = store
        .create_user(
            &email("bob@example.org"),
            Some(&Username::parse("ADA").unwrap()),
            Role::Reader,
        )
        .await;
    assert!(matches!(taken, Err(StoreError::Conflict(m)) if m.contains("taken")));

    let bob = store
        .find_or_create_user(&email("bob@example.org"))
        .await
        .unwrap();
    assert_eq!((bob.username.as_deref(), bob.role), (None, Role::Reader));
    assert_eq!(
        store
            .find_or_create_user(&email("BOB@example.org"))
            .await
            .unwrap()
            .id,
        bob.id
    );
    assert!(matches!(
        store
            .set_username(&bob.id, &Username::parse("aDa").unwrap())
            .await,
        Err(StoreError::Conflict(_))
    ));
    store
        .set_username(&bob.id, &Username::parse("bob").unwrap())
        .await
        .unwrap();
    assert_eq!(
        store.user_by_username("BOB").await.unwrap().map(|u| u.id),
        Some(bob.id.clone())
    );
    store.set_role(&bob.id, Role::Moderator).await.unwrap();
    assert_eq!(
        store.user_by_id(&bob.id).await.unwrap().map(|u| u.role),
        Some(Role::Moderator)
    );
}

async fn sessions_and_api_tokens_are_found_by_hash_and_revoked_by_their_owner(db: TestDb) {
    let store = db.open().await;
    let ada = store
        .find_or_create_user(&email("ada@example.org"))
        .await
        .unwrap();
    let eve = store
        .find_or_create_user(&email("eve@example.org"))
        .await
        .unwrap();
    let cookie = new_secret("").unwrap();
    let session = store
        .create_session(
            &ada.id,
            &hash_secret(&cookie),
            Duration::from_secs(3600),
            Some("Firefox"),
        )
        .await
        .unwrap();
    let found = store
        .session_user(&hash_secret(&cookie))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (found.session_id.as_str(), found.user.id.as_str()),
        (session.as_str(), ada.id.as_str())
    );
    assert_eq!(
        store.session_user(&cookie).await.unwrap(),
        None,
        "the secret itself is not stored"
    );
    let listed = store.sessions_of(&ada.id).await.unwrap();
    assert_eq!(
        (listed.len(), listed[0].user_agent.as_deref()),
        (1, Some("Firefox"))
    );

    assert!(
        !store.revoke_session(&eve.id, &session).await.unwrap(),
        "not eve's session"
    );
    assert!(
        store
            .session_user(&hash_secret(&cookie))
            .await
            .unwrap()
            .is_some()
    );
    assert!(store.revoke_session(&ada.id, &session).await.unwrap());
    assert_eq!(
        store.session_user(&hash_secret(&cookie)).await.unwrap(),
        None
    );

    let token = new_secret("pb_").unwrap();
    let id = store
        .create_api_token(&ada.id, "laptop", &hash_secret(&token))
        .await
        .unwrap();
    assert_eq!(
        store
            .api_token_user(&hash_secret(&token))
            .await
            .unwrap()
            .map(|u| u.id),
        Some(ada.id.clone())
    );
    let tokens = store.api_tokens_of(&ada.id).await.unwrap();
    assert_eq!(tokens[0].name, "laptop");
    assert!(tokens[0].last_used_ms.is_some(), "use is recorded");
    assert!(!store.revoke_api_token(&eve.id, &id).await.unwrap());
    assert!(store.revoke_api_token(&ada.id, &id).await.unwrap());
    assert_eq!(
        store.api_token_user(&hash_secret(&token)).await.unwrap(),
        None
    );
}

async fn local_votes_add_to_imported_counts_and_survive_reimport(db: TestDb) {
    let store = db.open().await;
    let (one, two) = (
        ArxivId::parse("2501.00001").unwrap(),
        ArxivId::parse("2501.00002").unwrap(),
    );
    let day = date(2025, 1, 3);
    let mut imported = DailyEntry::new(day, one.clone());
    imported.upvotes = 1;
    let mut popular = DailyEntry::new(day, two.clone());
    popular.upvotes = 2;
    let batch = Batch {
        papers: vec![
            paper("2501.00001", Some(1), "One", date(2025, 1, 2)),
            paper("2501.00002", Some(1), "Two", date(2025, 1, 2)),
        ],
        entries: vec![imported, popular],
    };
    store.write(batch.clone()).await.unwrap();
    let list_seq = store.counters().await.unwrap().list_seq;
    let mut users = Vec::new();
    for name in ["a@example.org", "b@example.org"] {
        users.push(store.find_or_create_user(&email(name)).await.unwrap());
    }
    for user in &users {
        let outcome = store.set_vote(&user.id, &one, true).await.unwrap();
        assert!(outcome.changed);
    }
    let again = store.set_vote(&users[0].id, &one, true).await.unwrap();
    assert_eq!(
        again,
        VoteOutcome {
            changed: false,
            upvotes: 3
        },
        "a second vote changes nothing"
    );
    assert!(
        store.counters().await.unwrap().list_seq > list_seq,
        "cached lists go stale"
    );

    // The list orders by imported + local votes: One (1 + 2) before Two (2).
    let page = store
        .daily_page(&DailyQuery::period(paperboy_core::Period::Day(day), 10))
        .await
        .unwrap();
    let order: Vec<(String, u32)> = page
        .items
        .iter()
        .map(|i| (i.entry.paper_id.to_string(), i.entry.upvotes))
        .collect();
    assert_eq!(order, [("2501.00001".into(), 3), ("2501.00002".into(), 2)]);

    // Importing the source again does not touch local votes.
    store.write(batch).await.unwrap();
    assert_eq!(store.paper(&one).await.unwrap().unwrap().record.upvotes, 3);
    assert_eq!(
        store
            .voted(&users[0].id, &[one.clone(), two.clone()])
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store.upvoted_by(&users[1].id, 10).await.unwrap(),
        std::slice::from_ref(&one)
    );

    let removed = store.set_vote(&users[0].id, &one, false).await.unwrap();
    assert_eq!(
        removed,
        VoteOutcome {
            changed: true,
            upvotes: 2
        }
    );
    assert!(matches!(
        store
            .set_vote(&users[0].id, &ArxivId::parse("2501.09999").unwrap(), true)
            .await,
        Err(StoreError::UnknownPapers(_))
    ));
    store
        .set_username(&users[1].id, &Username::parse("bee").unwrap())
        .await
        .unwrap();
    assert_eq!(store.upvoters(&one, 10).await.unwrap(), ["bee"]);
}

async fn the_outbox_hands_each_message_to_one_sender_and_retries_failures(db: TestDb) {
    let store = db.open_with(clock_at(5_000)).await;
    let first = Mail::text("a@example.org", "First", "one");
    assert!(
        store
            .enqueue_mail("digest", &first, Some("digest:a:2025-01-03"))
            .await
            .unwrap()
    );
    assert!(
        !store
            .enqueue_mail("digest", &first, Some("digest:a:2025-01-03"))
            .await
            .unwrap(),
        "one message per key"
    );
    store
        .enqueue_mail(
            "sign-in",
            &Mail::text("b@example.org", "Second", "two"),
            None,
        )
        .await
        .unwrap();

    // Two senders race for the two messages: each gets one, none gets both.
    let (a, b) = tokio::join!(
        store.claim_mail("sender-a", 10_000, 70_000, false),
        store.claim_mail("sender-b", 10_000, 70_000, false),
    );
    let (a, b) = (a.unwrap().unwrap(), b.unwrap().unwrap());
    assert_ne!(a.id, b.id);
    assert_eq!(
        store
            .claim_mail("sender-c", 10_000, 70_000, false)
            .await
            .unwrap(),
        None,
        "both claimed"
    );

    store.mail_sent(&a.id, "sender-a", 11_000).await.unwrap();
    store
        .mail_attempt_failed(
            &b.id,
            "sender-b",
            11_000,
            "connection refused",
            Some(40_000),
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .claim_mail("sender-c", 20_000, 80_000, false)
            .await
            .unwrap(),
        None,
        "backing off"
    );
    let retry = store
        .claim_mail("sender-c", 20_000, 80_000, true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (retry.id.as_str(), retry.attempts),
        (b.id.as_str(), 1),
        "flush ignores the backoff"
    );
    // sender-c dies holding it: the claim runs out and another sender retries.
    let taken_over = store
        .claim_mail("sender-d", 80_001, 140_000, false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(taken_over.id, b.id);
    store
        .mail_attempt_failed(&b.id, "sender-c", 80_002, "late", None)
        .await
        .unwrap();
    assert_eq!(
        store.outbox_counts().await.unwrap(),
        OutboxCounts {
            pending: 1,
            sent: 1,
            failed: 0
        },
        "a lost claim records nothing"
    );
    store
        .mail_attempt_failed(&b.id, "sender-d", 80_002, "550 no such user", None)
        .await
        .unwrap();
    assert_eq!(
        store.outbox_counts().await.unwrap(),
        OutboxCounts {
            pending: 0,
            sent: 1,
            failed: 1
        }
    );
}

async fn a_subscription_confirms_once_within_48_hours_and_resubscribing_asks_again(db: TestDb) {
    let clock = clock_at(1_000_000);
    let store = db.open_with(clock.clone()).await;
    let ada = email("Ada@Example.org");
    let ttl = Duration::from_secs(48 * 3600);
    let mail = |link: &str| Mail::text(ada.as_str(), "Confirm", format!("https://x/{link}"));
    assert!(
        store
            .request_subscription(&ada, &hash_secret("late"), ttl, &mail("late"))
            .await
            .unwrap()
    );
    // 48 hours and a second later, the link is dead.
    clock.set(jiff::Timestamp::from_millisecond(1_000_000 + 48 * 3_600_000 + 1_000).unwrap());
    assert_eq!(
        store
            .confirm_subscription(&hash_secret("late"))
            .await
            .unwrap(),
        None
    );
    // Asking again (any case of the address) replaces the link.
    assert!(
        store
            .request_subscription(
                &email("ada@example.org"),
                &hash_secret("new"),
                ttl,
                &mail("new")
            )
            .await
            .unwrap()
    );
    let confirmed = store
        .confirm_subscription(&hash_secret("new"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(confirmed.status, SubscriptionStatus::Active);
    assert_eq!(confirmed.prefs, paperboy_core::DigestPrefs::default());
    assert_eq!(
        store
            .confirm_subscription(&hash_secret("new"))
            .await
            .unwrap(),
        None
    );
    let queued = store.outbox_counts().await.unwrap().pending;
    assert!(
        !store
            .request_subscription(&ada, &hash_secret("x"), ttl, &mail("x"))
            .await
            .unwrap(),
        "an active subscription gets no mail"
    );
    assert_eq!(store.outbox_counts().await.unwrap().pending, queued);

    assert!(
        store
            .set_subscription_status(&confirmed.id, SubscriptionStatus::Unsubscribed, None)
            .await
            .unwrap()
    );
    assert!(
        !store
            .set_subscription_status(&confirmed.id, SubscriptionStatus::Active, None)
            .await
            .unwrap(),
        "an unsubscribed address is not resumed without a new confirmation"
    );
    assert!(
        store
            .request_subscription(&ada, &hash_secret("back"), ttl, &mail("back"))
            .await
            .unwrap()
    );
    let again = store.subscription(&confirmed.id).await.unwrap().unwrap();
    assert_eq!(again.status, SubscriptionStatus::Pending);
    assert_eq!(
        store.site_key("k").await.unwrap(),
        store.site_key("k").await.unwrap()
    );
}
