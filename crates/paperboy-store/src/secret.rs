//! Random ids and secrets, and how secrets are kept: only their SHA-256.

use sha2::{Digest, Sha256};

use crate::{Result, StoreError};

/// `n` random bytes from the operating system, as lower-case hex.
fn random_hex(n: usize) -> Result<String> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes)
        .map_err(|e| StoreError::unavailable(format!("no randomness from the OS: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// A new row id: 24 random hex characters (96 bits), the shape of Hugging Face's
/// object ids.
pub fn new_id() -> Result<String> {
    random_hex(12)
}

/// A new secret (a sign-in link, a session cookie, an API token): 256 random bits
/// as 64 hex characters after `prefix`.
pub fn new_secret(prefix: &str) -> Result<String> {
    Ok(format!("{prefix}{}", random_hex(32)?))
}

/// What the database keeps of a secret: its SHA-256, hex.
pub fn hash_secret(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// HMAC-SHA256 of `message` under `key`, hex: what signs the links in emails.
pub fn sign(key: &str, message: &str) -> String {
    const BLOCK: usize = 64;
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key.as_bytes()));
    } else {
        block[..key.len()].copy_from_slice(key.as_bytes());
    }
    let pad = |byte: u8| block.map(|b| b ^ byte);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message.as_bytes())
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The site path of `purpose`'s link for subscription `id`, signed under `key`:
/// what digests put in emails and what the web server checks.
pub fn signed_link(key: &str, purpose: paperboy_core::digest::LinkPurpose, id: &str) -> String {
    purpose.path(id, &sign(key, &purpose.message(id)))
}

/// The signed site path by which subscription `id` gives `feedback` on `paper`.
pub fn signed_feedback_link(
    key: &str,
    id: &str,
    paper: &str,
    feedback: paperboy_core::digest::Feedback,
) -> String {
    let message = paperboy_core::digest::Feedback::message(id, paper);
    feedback.path(id, paper, &sign(key, &message))
}

/// Whether `signature` is [`sign`]`(key, message)`, compared in constant time.
pub fn verify(key: &str, message: &str, signature: &str) -> bool {
    let expected = sign(key, message);
    expected.len() == signature.len()
        && expected
            .bytes()
            .zip(signature.bytes())
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_hmac_sha256_and_only_the_right_one_verifies() {
        // RFC 4231, test case 2.
        assert_eq!(
            sign("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let sig = sign("key", "unsubscribe:abc");
        assert!(verify("key", "unsubscribe:abc", &sig));
        assert!(!verify("key", "unsubscribe:abd", &sig));
        assert!(!verify("other", "unsubscribe:abc", &sig));
        assert!(!verify("key", "unsubscribe:abc", &sig[..63]));
    }

    #[test]
    fn ids_and_secrets_are_random_and_secrets_hash_stably() {
        let (a, b) = (new_id().expect("random"), new_id().expect("random"));
        assert_eq!(a.len(), 24);
        assert_ne!(a, b);
        let secret = new_secret("pb_").expect("random");
        assert!(secret.starts_with("pb_") && secret.len() == 67);
        assert_eq!(hash_secret(&secret), hash_secret(&secret));
        assert_ne!(hash_secret(&secret), hash_secret(&b));
        assert_eq!(
            hash_secret("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
