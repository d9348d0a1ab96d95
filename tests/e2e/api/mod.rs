//! The HTTP API, through the real server.

pub mod app;
mod attacks;
mod audit;
mod authorization;
mod cache;
mod contract;
mod document;
mod hostile;
mod idempotency;
mod journey;
mod listing;
mod privacy;
mod problems;
mod search;
