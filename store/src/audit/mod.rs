//! The audit trail: the hash chain over each case's events and its
//! verification, signed receipts of the whole log, the access log and its
//! retention, a case's history as stored, and a case's export.

pub mod access;
pub mod chain;
pub mod export;
pub mod history;
pub mod integrity;
pub mod receipt;
pub mod retention;
pub mod signature;
