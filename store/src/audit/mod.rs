//! The audit trail: the hash chain over each case's events and its
//! verification, signed receipts of the whole log, the access log, and a
//! case's history as stored.

pub mod access;
pub mod chain;
pub mod history;
pub mod integrity;
pub mod receipt;
pub mod signature;
