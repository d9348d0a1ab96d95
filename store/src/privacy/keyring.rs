//! The master key and the data keys it wraps.

use std::path::Path;
use std::sync::Arc;

use base64::engine::general_purpose::STANDARD_NO_PAD as BASE64;
use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::index::IndexKey;

const NONCE: usize = 24;

#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    #[error("the master key file {path} cannot be read: {cause}")]
    Unreadable { path: String, cause: std::io::Error },
    #[error("the master key must be 64 hexadecimal characters (32 bytes)")]
    Malformed,
    #[error("a data key does not open with this master key")]
    WrongMaster,
    #[error("a sealed value is damaged or belongs to another subject")]
    Damaged,
}

/// The key that wraps every data key; from configuration, never stored.
#[derive(Clone)]
pub struct MasterKey(Key);

impl MasterKey {
    /// From 64 hexadecimal characters.
    pub fn from_hex(text: &str) -> Result<Self, KeyringError> {
        let bytes = hex::decode(text.trim()).map_err(|_| KeyringError::Malformed)?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| KeyringError::Malformed)?;
        Ok(Self(bytes.into()))
    }

    /// From a file that holds the key in hexadecimal.
    pub fn read(path: &Path) -> Result<Self, KeyringError> {
        let text = std::fs::read_to_string(path).map_err(|cause| KeyringError::Unreadable {
            path: path.display().to_string(),
            cause,
        })?;
        Self::from_hex(&text)
    }

    /// A fresh random key, as hexadecimal.
    pub fn generate_hex() -> String {
        hex::encode(XChaCha20Poly1305::generate_key(&mut OsRng))
    }

    /// A fingerprint that names the key without giving it away.
    pub fn id(&self) -> String {
        let digest = Sha256::new()
            .chain_update(b"casus master key id\n")
            .chain_update(self.0)
            .finalize();
        hex::encode(&digest[..8])
    }
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MasterKey({})", self.id())
    }
}

/// Makes, wraps and opens data keys with the master key.
#[derive(Clone, Debug)]
pub struct Keyring {
    master: Arc<MasterKey>,
    id: Arc<str>,
    index: IndexKey,
}

/// One young person's data key, opened.
pub struct DataKey {
    subject: Uuid,
    cipher: XChaCha20Poly1305,
}

impl Keyring {
    pub fn new(master: MasterKey) -> Self {
        Self {
            id: master.id().into(),
            index: IndexKey::derive(&master.0),
            master: Arc::new(master),
        }
    }

    /// A keyring with a new random master key, for scratch databases and tests.
    pub fn ephemeral() -> Self {
        Self::new(MasterKey(XChaCha20Poly1305::generate_key(&mut OsRng)))
    }

    /// The key of the blind index of young people.
    pub fn index(&self) -> IndexKey {
        self.index.clone()
    }

    /// The master key's fingerprint.
    pub fn master_id(&self) -> &str {
        &self.id
    }

    /// A new data key for `subject`, and the same wrapped for storage.
    pub fn new_key(&self, subject: Uuid) -> (DataKey, Vec<u8>) {
        let key = XChaCha20Poly1305::generate_key(&mut OsRng);
        let wrapped = seal(&self.master_cipher(), subject, &key);
        (Self::data_key(subject, &key), wrapped)
    }

    /// Opens a wrapped data key of `subject`.
    pub fn unwrap(&self, subject: Uuid, wrapped: &[u8]) -> Result<DataKey, KeyringError> {
        let key =
            open(&self.master_cipher(), subject, wrapped).map_err(|_| KeyringError::WrongMaster)?;
        let key: [u8; 32] = key.try_into().map_err(|_| KeyringError::WrongMaster)?;
        Ok(Self::data_key(subject, &key.into()))
    }

    /// `wrapped` unwrapped with this master key, wrapped again with `to`.
    pub fn rewrap(
        &self,
        subject: Uuid,
        wrapped: &[u8],
        to: &Keyring,
    ) -> Result<Vec<u8>, KeyringError> {
        let key =
            open(&self.master_cipher(), subject, wrapped).map_err(|_| KeyringError::WrongMaster)?;
        Ok(seal(&to.master_cipher(), subject, &key))
    }

    fn master_cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&self.master.0)
    }

    fn data_key(subject: Uuid, key: &Key) -> DataKey {
        DataKey {
            subject,
            cipher: XChaCha20Poly1305::new(key),
        }
    }
}

impl DataKey {
    /// `value` sealed: base64 of nonce ‖ ciphertext of its JSON text.
    pub fn seal(&self, value: &Value) -> String {
        let text = serde_json::to_vec(value).expect("a JSON value serialises");
        BASE64.encode(seal(&self.cipher, self.subject, &text))
    }

    /// The value `sealed` holds.
    pub fn open(&self, sealed: &str) -> Result<Value, KeyringError> {
        let bytes = BASE64.decode(sealed).map_err(|_| KeyringError::Damaged)?;
        let text = open(&self.cipher, self.subject, &bytes).map_err(|_| KeyringError::Damaged)?;
        serde_json::from_slice(&text).map_err(|_| KeyringError::Damaged)
    }
}

fn seal(cipher: &XChaCha20Poly1305, subject: Uuid, plain: &[u8]) -> Vec<u8> {
    let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
    let sealed = cipher
        .encrypt(
            &nonce,
            Payload {
                msg: plain,
                aad: subject.as_bytes(),
            },
        )
        .expect("XChaCha20-Poly1305 seals any message of this size");
    [nonce.as_slice(), &sealed].concat()
}

fn open(
    cipher: &XChaCha20Poly1305,
    subject: Uuid,
    sealed: &[u8],
) -> Result<Vec<u8>, chacha20poly1305::Error> {
    if sealed.len() < NONCE {
        return Err(chacha20poly1305::Error);
    }
    let (nonce, body) = sealed.split_at(NONCE);
    cipher.decrypt(
        XNonce::from_slice(nonce),
        Payload {
            msg: body,
            aad: subject.as_bytes(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keyring() -> Keyring {
        Keyring::ephemeral()
    }

    #[test]
    fn a_sealed_value_opens_with_its_key_only() {
        let keyring = keyring();
        let subject = Uuid::now_v7();
        let (key, wrapped) = keyring.new_key(subject);
        let sealed = key.seal(&Value::from("Jan Jansen"));
        assert!(!sealed.contains("Jansen"));
        let again = keyring.unwrap(subject, &wrapped).unwrap();
        assert_eq!(again.open(&sealed).unwrap(), Value::from("Jan Jansen"));
        let (other, _) = keyring.new_key(subject);
        assert!(other.open(&sealed).is_err());
    }

    #[test]
    fn a_key_is_bound_to_its_subject_and_master() {
        let keyring = keyring();
        let subject = Uuid::now_v7();
        let (_, wrapped) = keyring.new_key(subject);
        assert!(keyring.unwrap(Uuid::now_v7(), &wrapped).is_err());
        assert!(self::keyring().unwrap(subject, &wrapped).is_err());
    }

    #[test]
    fn rewrapping_moves_a_key_to_another_master() {
        let (old, new) = (keyring(), keyring());
        let subject = Uuid::now_v7();
        let (key, wrapped) = old.new_key(subject);
        let sealed = key.seal(&Value::from(42));
        let moved = old.rewrap(subject, &wrapped, &new).unwrap();
        assert!(old.unwrap(subject, &moved).is_err());
        let opened = new.unwrap(subject, &moved).unwrap();
        assert_eq!(opened.open(&sealed).unwrap(), Value::from(42));
    }

    #[test]
    fn a_master_key_is_64_hex_characters() {
        assert!(MasterKey::from_hex("abcd").is_err());
        assert!(MasterKey::from_hex(&"zz".repeat(32)).is_err());
        assert!(MasterKey::from_hex(&format!("{}\n", "ab".repeat(32))).is_ok());
    }
}
