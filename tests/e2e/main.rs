//! End-to-end tests against a real PostgreSQL (see `support`). One test
//! binary, so the crates link once.

mod api;
mod cli;
mod event_store;
mod faults;
mod notifications;
mod operations;
mod projections;
mod retention;
mod support;
mod upgrade;
mod web;
mod workload;
