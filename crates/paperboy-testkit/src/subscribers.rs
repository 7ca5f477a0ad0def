//! Digest subscribers as the double opt-in makes them, for tests of digests.

use std::time::Duration;

use paperboy_core::{DigestPrefs, Email, Mail, SystemClock};
use paperboy_ingest::import::{ImportOptions, import_file};
use paperboy_store::secret::hash_secret;
use paperboy_store::{Store, Subscription};

use crate::{TestDb, fixture_path};

/// A store on the real clock (a binary's sender judges its messages' age by it)
/// holding the recorded HF daily list of 2025-06-02 (20 papers): what the digest
/// tests of the binary compose from.
pub async fn store_with_daily_list(db: &TestDb) -> Store {
    let store = db.open_with(std::sync::Arc::new(SystemClock)).await;
    let report = import_file(
        &store,
        &fixture_path("hf_api/daily_papers_date_2025-06-02.json"),
        &ImportOptions::default(),
    )
    .await;
    assert!(report.is_clean(), "{report:?}");
    store
}

/// A confirmed subscription of `address` with `prefs`, made as a reader would make it
/// (requested, its confirmation email queued, then confirmed).
pub async fn confirmed_subscriber(
    store: &Store,
    address: &str,
    prefs: &DigestPrefs,
) -> Subscription {
    let email = Email::parse(address).expect("a valid address");
    let token = format!("token-{address}");
    let mail = Mail::text(address, "Confirm your subscription", "link");
    store
        .request_subscription(&email, &hash_secret(&token), Duration::from_secs(60), &mail)
        .await
        .expect("subscription requested");
    let subscription = store
        .confirm_subscription(&hash_secret(&token))
        .await
        .expect("the store answers")
        .expect("the fresh link confirms");
    store
        .set_subscription_prefs(&subscription.id, prefs)
        .await
        .expect("preferences saved");
    subscription
}
