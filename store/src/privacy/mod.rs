//! Personal data in the events is sealed with a key per young person
//! (crypto-shredding): the store seals every value the domain marks personal
//! before an event is written, and readers open them with the subject's key.
//! Erasure destroys the key; the sealed bytes stay in the log, unreadable,
//! and the hash chain over them stays intact.
//!
//! Data keys are XChaCha20-Poly1305 keys, kept in `subject_keys` wrapped by
//! the master key from configuration. Each sealed value is bound to its
//! subject (the subject id is the associated data), so a sealed value copied
//! into another person's case does not open.

pub mod index;
mod keyring;
mod marks;
pub mod retention;
mod subjects;

pub use keyring::{DataKey, Keyring, KeyringError, MasterKey};
pub(crate) use marks::seal_all;
pub use marks::{display, open_all, ERASED};
pub(crate) use subjects::seal_events;
pub use subjects::{check_master_key, key_for_case, SealError};
