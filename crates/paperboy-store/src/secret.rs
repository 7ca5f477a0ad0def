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

#[cfg(test)]
mod tests {
    use super::*;

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
