//! The named library, measured beside Casus: `cqrs-es` with `postgres-es`
//! used the way their documentation shows (`CqrsFramework` over a
//! `PersistedEventStore` with a `PostgresEventRepository`, snapshots every
//! 50 events, one `GenericQuery` view in a `PostgresViewRepository`), in
//! process, without HTTP, doing the same work: a contact logged on an
//! existing case. Its tables are named apart from Casus's (`peer_*`); its
//! events are neither sealed, signed nor chained, nor checked for access.

use std::sync::Arc;
use std::time::Duration;

use casus_domain::{
    CaseCommand, CaseId, Command, Contact, ContactKind, ContactParty, Personal, Programme, Text,
    YouthCase,
};
use cqrs_es::persist::{GenericQuery, PersistedEventStore};
use cqrs_es::{CqrsFramework, EventEnvelope, View};
use postgres_es::{PostgresEventRepository, PostgresViewRepository};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

use crate::measure::{clients, Rate};

/// The peer's one view: each case's contacts.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Contacts {
    count: u64,
    last_on: Option<chrono::NaiveDate>,
}

impl View<YouthCase> for Contacts {
    fn update(&mut self, event: &EventEnvelope<YouthCase>) {
        if let casus_domain::CaseEvent::ContactLogged(contact) = &event.payload {
            self.count += 1;
            self.last_on = Some(contact.contacted_on);
        }
    }
}

type Peer = CqrsFramework<YouthCase, PersistedEventStore<PostgresEventRepository, YouthCase>>;

/// postgres-es's tables, as its documentation gives them, under other names.
const TABLES: [&str; 3] = [
    "create table if not exists peer_events (aggregate_type text not null, aggregate_id text not null,
       sequence bigint check (sequence >= 0) not null, event_type text not null,
       event_version text not null, payload json not null, metadata json not null,
       primary key (aggregate_type, aggregate_id, sequence))",
    "create table if not exists peer_snapshots (aggregate_type text not null, aggregate_id text not null,
       last_sequence bigint check (last_sequence >= 0) not null,
       current_snapshot bigint check (current_snapshot >= 0) not null, payload json not null,
       primary key (aggregate_type, aggregate_id, last_sequence))",
    "create table if not exists peer_contacts (view_id text not null, version bigint check (version >= 0) not null,
       payload json not null, primary key (view_id))",
];

/// Contacts per second through the peer at 1 and 16 clients.
pub async fn measure(
    pool: &PgPool,
    programme: Programme,
    referral: impl Fn() -> casus_domain::Referral,
    run: Duration,
) -> anyhow::Result<(Rate, Rate)> {
    for table in TABLES {
        sqlx::query(table).execute(pool).await?;
    }
    let repository =
        PostgresEventRepository::new(pool.clone()).with_tables("peer_events", "peer_snapshots");
    let store = PersistedEventStore::new_snapshot_store(repository, 50);
    let view = Arc::new(PostgresViewRepository::<Contacts, YouthCase>::new(
        "peer_contacts",
        pool.clone(),
    ));
    let query = GenericQuery::<_, Contacts, YouthCase>::new(view);
    let peer: Arc<Peer> = Arc::new(CqrsFramework::new(store, vec![Box::new(query)], programme));
    let today = casus_store::clock::today();
    let mut cases = Vec::new();
    for _ in 0..16 {
        let case = CaseId::new().to_string();
        peer.execute(
            &case,
            Command::new(CaseCommand::ReferCase(referral()), today),
        )
        .await?;
        cases.push(case);
    }
    let cases = Arc::new(cases);
    let contact = move |n: usize, _: usize| {
        let (peer, cases) = (peer.clone(), cases.clone());
        async move {
            let contact = CaseCommand::LogContact(Contact {
                kind: ContactKind::Phone,
                with_whom: vec![ContactParty::Youth],
                contacted_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 3).expect("a date"),
                summary: Personal::new(Text::parse("talked about school attendance")?),
            });
            peer.execute(&cases[n], Command::new(contact, today))
                .await?;
            anyhow::Ok(())
        }
    };
    let one = clients(1, run, contact.clone()).await?;
    let sixteen = clients(16, run, contact).await?;
    Ok((one, sixteen))
}
