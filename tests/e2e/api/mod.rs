//! The HTTP API, through the real server.

pub mod app;
mod journey;
