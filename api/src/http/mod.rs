//! The plumbing every route shares: what it extracts from a request, how a
//! write and a read are carried out and logged, errors as problem+json,
//! the answers described for the document, and what surrounds each request.

pub mod access_log;
pub mod answers;
pub mod error;
pub mod extract;
pub mod observe;
pub mod problem;
pub mod reader;
pub mod writer;
