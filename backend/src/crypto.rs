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
    sign: [u8; 32],
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
            sign: derive_key(secret_key_base, "switchboard signed values v1"),
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

    /// `base64url(data).base64url(HMAC-SHA256(data))`: tamper-evident, not secret.
    pub fn sign(&self, data: &[u8]) -> String {
        let mut mac =
            <HmacSha256 as Mac>::new_from_slice(&self.sign).expect("HMAC takes any key length");
        mac.update(data);
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(data),
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        )
    }

    /// The data of a value made by `sign`, if its MAC checks out (compared in constant time).
    pub fn verify(&self, signed: &str) -> Option<Vec<u8>> {
        let (data, tag) = signed.split_once('.')?;
        let data = URL_SAFE_NO_PAD.decode(data).ok()?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        let mut mac =
            <HmacSha256 as Mac>::new_from_slice(&self.sign).expect("HMAC takes any key length");
        mac.update(&data);
        mac.verify_slice(&tag).ok().map(|_| data)
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

/// HMAC-SHA256 of `data` under `key`, hex (Meta's `X-Hub-Signature-256`).
pub fn hmac_sha256_hex(key: &[u8], data: &[u8]) -> String {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    hex::encode(mac.finalize().into_bytes())
}

/// Whether `tag` is the HMAC-SHA256 of `data` under `key`, compared in constant time.
pub fn hmac_sha256_matches(key: &[u8], data: &[u8], tag: &[u8]) -> bool {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.verify_slice(tag).is_ok()
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
    fn signed_values_verify_and_tampering_is_caught() {
        let k = keys("a".repeat(64).as_str());
        let signed = k.sign(b"{\"a\":1}");
        assert_eq!(k.verify(&signed).unwrap(), b"{\"a\":1}");
        let (data, tag) = signed.split_once('.').unwrap();
        let forged = format!("{}.{tag}", URL_SAFE_NO_PAD.encode(b"{\"a\":2}"));
        assert!(k.verify(&forged).is_none());
        assert!(k.verify(data).is_none());
        assert!(keys("b".repeat(64).as_str()).verify(&signed).is_none());
    }

    /// HMAC-SHA256 with an arbitrary key, compared in constant time (Meta's signatures).
    #[test]
    fn hmac_hex_matches_a_known_vector() {
        // RFC 4231 test case 2.
        assert_eq!(
            hmac_sha256_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert!(hmac_sha256_matches(
            b"Jefe",
            b"what do ya want for nothing?",
            &hex::decode("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
                .unwrap()
        ));
        assert!(!hmac_sha256_matches(
            b"Jefe",
            b"what do ya want for nothing!",
            &[0u8; 32]
        ));
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
