//! A database from before a migration keeps working after it.

use casus_domain::testing::referral;
use casus_domain::{CaseCommand, CaseEvent, CaseId, Command, Confidentiality, Note};
use casus_store::MIGRATOR;
use cqrs_es::DomainEvent;
use serde_json::json;
use sqlx::migrate::Migrator;

use crate::support::TestDb;
use crate::workload::metadata;

/// Events written before personal data was sealed (bare values, no
/// `case_subjects`) are read as they are; the migration links their case to
/// its young person; what is written afterwards is sealed.
#[tokio::test]
async fn cases_from_before_sealing_are_read_and_sealed_from_then_on() {
    let db = TestDb::unmigrated().await;
    // The migrations up to the audit trail, from a copy of their files.
    let dir = tempfile::tempdir().unwrap();
    for migration in MIGRATOR.migrations.iter().filter(|m| m.version <= 5) {
        let file = format!(
            "{:04}_{}.sql",
            migration.version,
            migration.description.replace(' ', "_")
        );
        std::fs::write(dir.path().join(file), migration.sql.as_ref()).unwrap();
    }
    Migrator::new(dir.path())
        .await
        .unwrap()
        .run(&db.pool)
        .await
        .unwrap();

    // A referral as Casus wrote it then: version 1.0, the personal values
    // bare, no holding organisation (the upcaster takes the metadata's).
    let case = CaseId::new();
    let event = CaseEvent::CaseReferred(referral());
    let mut payload = serde_json::to_value(&event).unwrap();
    let details = &mut payload["CaseReferred"];
    for field in ["details", "reason", "goal"] {
        details[field] = details[field]["$personal"].take();
    }
    details.as_object_mut().unwrap().remove("organisation");
    assert_eq!(payload["CaseReferred"]["details"]["name"], "Sem de Vries");
    sqlx::query(
        "insert into events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)
         values ('YouthCase', $1, 1, $2, $3, $4, $5)",
    )
    .bind(case.to_string())
    .bind(event.event_type())
    .bind("1.0")
    .bind(&payload)
    .bind(json!(metadata().to_map()))
    .execute(&db.pool)
    .await
    .unwrap();

    casus_store::migrate(&db.pool).await.unwrap();
    let subject = casus_store::privacy::key_for_case(&db.keyring, &db.pool, case.as_uuid())
        .await
        .unwrap()
        .map(|(subject, _)| subject);
    assert_eq!(subject, Some(referral().subject.as_uuid()));

    // The old referral still reads; a new note is sealed with a key made now.
    let store = db.store(0).await;
    let old = store.referral(case).await.unwrap().unwrap();
    assert_eq!(old.details.expose().unwrap().name.as_str(), "Sem de Vries");
    assert_eq!(
        old.organisation.as_str(),
        "gemeente-rotterdam",
        "from the metadata"
    );
    let loaded = store.load(case).await.unwrap().unwrap();
    assert_eq!(
        loaded.file().unwrap().organisation.as_str(),
        "gemeente-rotterdam"
    );
    let note = Note {
        confidentiality: Confidentiality::Shared,
        text: casus_domain::Personal::new(casus_domain::Text::parse("after the upgrade").unwrap()),
    };
    store
        .execute(
            case,
            Command::new(CaseCommand::AddNote(note), casus_store::clock::today()),
            &metadata(),
        )
        .await
        .unwrap();
    let stored: String = sqlx::query_scalar(
        "select payload::text from events where aggregate_id = $1 and sequence = 2",
    )
    .bind(case.to_string())
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert!(
        stored.contains("$sealed") && !stored.contains("after the upgrade"),
        "{stored}"
    );
}
