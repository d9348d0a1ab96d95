//! Notifications to partners (DESIGN.md): the event log is the outbox. A
//! publisher per target is one more tracking reader of the log, gap-free
//! and checkpointed like a projector, that maps private events to a small
//! public set (`public`) and delivers them as NL GOV CloudEvents
//! (`message`) to NATS JetStream (`nats`) or a webhook (`webhook`), at
//! least once and in commit order. The checkpoint moves only after the
//! target acknowledged; a target that cannot take them stops there and
//! says so (`status`), and is retried; nothing is skipped.

pub mod message;
pub mod nats;
pub mod public;
pub mod publisher;
pub mod status;
pub mod subscriptions;
pub mod webhook;

pub use message::{Notification, Settings};
pub use publisher::{Delivery, Publisher, Target};
