//! Passwords, random tokens and their digests, and sealing of secrets at rest.

use anyhow::{anyhow, Context};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit};
use chacha20poly1305::XChaCha20Poly1305;
use hmac::{Hmac, Mac};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

type HmacSha256 = Hmac<Sha256>;

/// Keys derived from `SECRET_KEY_BASE`, one per purpose, so no key is ever used for two things.
#[derive(Clone)]
pub struct Keys {
    seal: [u8; 32],
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(..)")
    }
}

const SEAL_PREFIX: &str = "v1:";

impl Keys {
    pub fn derive(secret_key_base: &SecretString) -> Self {
        Keys {
            seal: derive_key(secret_key_base, "switchboard at-rest encryption v1"),
        }
    }

    /// Encrypts a secret for storage: `v1:` + base64(nonce ‖ ciphertext+tag).
    pub fn seal(&self, plaintext: &str) -> String {
        let cipher = XChaCha20Poly1305::new((&self.seal).into());
        let nonce = XChaCha20Poly1305::generate_nonce(&mut chacha20poly1305::aead::OsRng);
        // Encryption with a fresh nonce and an in-memory buffer cannot fail.
        let mut out = nonce.to_vec();
        out.extend(
            cipher
                .encrypt(&nonce, plaintext.as_bytes())
                .unwrap_or_default(),
        );
        format!("{SEAL_PREFIX}{}", STANDARD_NO_PAD.encode(out))
    }

    pub fn open(&self, sealed: &str) -> anyhow::Result<SecretString> {
        let raw = sealed
            .strip_prefix(SEAL_PREFIX)
            .ok_or_else(|| anyhow!("unknown sealed format"))?;
        let bytes = STANDARD_NO_PAD
            .decode(raw)
            .context("sealed value is not base64")?;
        if bytes.len() < 24 {
            return Err(anyhow!("sealed value too short"));
        }
        let (nonce, ct) = bytes.split_at(24);
        let cipher = XChaCha20Poly1305::new((&self.seal).into());
        let plain = cipher
            .decrypt(nonce.into(), ct)
            .map_err(|_| anyhow!("sealed value does not open with this SECRET_KEY_BASE"))?;
        Ok(SecretString::from(
            String::from_utf8(plain).context("sealed value is not UTF-8")?,
        ))
    }
}

fn derive_key(secret_key_base: &SecretString, purpose: &str) -> [u8; 32] {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(secret_key_base.expose_secret().as_bytes())
        .expect("HMAC takes any key length");
    mac.update(purpose.as_bytes());
    mac.finalize().into_bytes().into()
}

/// A random URL-safe token carrying `bytes` bytes of entropy.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// A fresh `SECRET_KEY_BASE` (64 bytes, hex).
pub fn generate_secret_key_base() -> String {
    let mut buf = [0u8; 64];
    rand::thread_rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

/// Tokens are stored only as this digest: a database leak does not reveal usable credentials.
pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow!("hashing password: {e}"))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Verifies against a fixed hash, so a sign-in for an unknown email costs the same time as a wrong password.
pub fn verify_password_against_dummy(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let hash =
        DUMMY.get_or_init(|| hash_password("switchboard-dummy-password").unwrap_or_default());
    let _ = verify_password(password, hash);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(s: &str) -> Keys {
        Keys::derive(&SecretString::from(s.to_owned()))
    }

    #[test]
    fn sealed_secrets_open_with_the_same_key_only() {
        let k = keys("a".repeat(64).as_str());
        let sealed = k.seal("EAAG-token");
        assert!(sealed.starts_with("v1:"));
        assert!(!sealed.contains("EAAG-token"));
        assert_eq!(k.open(&sealed).unwrap().expose_secret(), "EAAG-token");
        assert!(keys("b".repeat(64).as_str()).open(&sealed).is_err());
        assert_ne!(
            k.seal("EAAG-token"),
            sealed,
            "every seal uses a fresh nonce"
        );
        assert!(k.open("v1:AAAA").is_err());
        assert!(k.open("plain").is_err());
    }

    #[test]
    fn passwords_verify_and_wrong_ones_do_not() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong horse", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_digests_stable() {
        let a = random_token(32);
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_token(32));
        assert_eq!(token_digest("x"), token_digest("x"));
        assert_eq!(token_digest("x").len(), 64);
    }
}
