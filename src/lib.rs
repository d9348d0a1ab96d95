//! The `casus` binary's library: configuration, the command line, and the
//! private PostgreSQL cluster it runs when no database is configured.

mod audit;
pub mod cli;
pub mod cluster;
pub mod database;
pub mod http;
pub mod notifications;
mod privacy;
mod rebuild;
mod retention;
mod secret;
pub mod seed;
pub mod serve;
mod token;
mod words;
