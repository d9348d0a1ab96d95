//! The audit trail: tampering is found and named, receipts prove the log
//! unchanged, the state at a version or moment is the fold of the events,
//! and every read and refusal is in the access log.

use casus_api::AccessLog;
use casus_domain::testing::today;
use casus_domain::{CaseId, YouthCase};
use casus_store::audit::access::{Access, AccessAction, Named, Outcome, Sensitivity};
use casus_store::audit::chain::{self, Breach};
use casus_store::audit::receipt;
use casus_store::CaseStore;
use cqrs_es::Aggregate;
use futures::stream::{FuturesOrdered, StreamExt};
use rand::SeedableRng;
use reqwest::Method;
use serde_json::{json, Value};
use sqlx::PgPool;

use super::app::{referral, Answer, TestApp, User};
use crate::support::TestDb;
use crate::workload::{case_script, metadata};

/// One case through its scripted lifecycle; answers its id.
async fn scripted_case(store: &CaseStore, seed: u64) -> CaseId {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let case = CaseId::new();
    for command in case_script(&mut rng) {
        let _ = store.execute(case, command.on(today()), &metadata()).await;
    }
    case
}

/// Runs `sql` as a superuser would, past the append-only and chain triggers.
async fn tamper(pool: &PgPool, sql: &str, case: CaseId) {
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("set local session_replication_role = replica")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query(sql)
        .bind(case.to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

const CHANGE_TRIAGE: &str = "update events set payload = jsonb_set(payload, array[event_type, 'decided_by'], '\"someone else\"')
 where aggregate_id = $1 and sequence = 2";

fn auditor() -> User {
    User::worker("a-1", "audit").with_roles(&["auditor"])
}

async fn audit_get(app: &TestApp, path: &str) -> Answer {
    app.send(
        Some(&auditor()),
        Method::GET,
        path,
        None,
        &[("x-audit-reason", "inquiry 2026-17")],
    )
    .await
}

#[tokio::test]
async fn verify_names_the_changed_and_the_missing_event() {
    let app = TestApp::spawn().await;
    let store = app.db.store(0).await;
    let (a, b, c) = (
        scripted_case(&store, 1).await,
        scripted_case(&store, 2).await,
        scripted_case(&store, 3).await,
    );
    let intact = chain::verify(&app.db.pool, &app.db.signer.verifying_key(), None, |_| {})
        .await
        .unwrap();
    assert!(intact.ok && intact.broken.is_empty(), "{intact:?}");
    assert_eq!(intact.streams, 3);

    tamper(&app.db.pool, CHANGE_TRIAGE, a).await;
    tamper(
        &app.db.pool,
        "delete from events where aggregate_id = $1 and sequence = 3",
        b,
    )
    .await;

    let report = chain::verify(&app.db.pool, &app.db.signer.verifying_key(), None, |_| {})
        .await
        .unwrap();
    assert!(!report.ok);
    let mut found: Vec<(String, i64, Breach)> = report
        .broken
        .iter()
        .map(|l| (l.case_id.clone(), l.sequence, l.breach))
        .collect();
    found.sort();
    let mut wanted = vec![
        (a.to_string(), 2, Breach::Changed),
        (b.to_string(), 3, Breach::Missing),
    ];
    wanted.sort();
    assert_eq!(found, wanted);
    assert!(!found.iter().any(|(case, ..)| *case == c.to_string()));

    // The same through HTTP, once the caseload (which tells an auditor's
    // municipality) has the three cases.
    for _ in 0..600 {
        let known: i64 = sqlx::query_scalar("select count(*) from caseload")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        if known == 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let answer = audit_get(&app, "/api/v1/audit/verify").await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.body["ok"], false);
    assert_eq!(answer.body["broken"].as_array().unwrap().len(), 2);
    app.stop().await;
}

#[tokio::test]
async fn receipts_hold_while_the_log_grows_and_fail_after_a_rewrite() {
    let app = TestApp::spawn().await;
    let store = app.db.store(0).await;
    let pool = &app.db.pool;
    let signer = &app.db.signer;
    let key = signer.verifying_key();
    let a = scripted_case(&store, 4).await;
    let before = receipt::make(pool, signer).await.unwrap();
    scripted_case(&store, 5).await;
    assert_eq!(receipt::check(pool, &key, &before).await.unwrap(), None);

    // Rewrite one event and re-chain its whole stream: every chain holds
    // again, but the event's signature and the receipt made before tell.
    let made = receipt::make(pool, signer).await.unwrap();
    tamper(pool, CHANGE_TRIAGE, a).await;
    rechain(pool, a).await;
    let report = chain::verify(pool, &key, None, |_| {}).await.unwrap();
    let found: Vec<_> = report
        .broken
        .iter()
        .map(|l| (l.sequence, l.breach))
        .collect();
    assert_eq!(found, [(2, Breach::BadSignature)], "{report:?}");
    let found = receipt::check(pool, &key, &made).await.unwrap();
    assert!(found.is_some_and(|head| head != made.statement.head));

    // An altered receipt, or one from another key, is refused.
    let mut altered = before.clone();
    altered.statement.events += 1;
    assert!(matches!(
        receipt::check(pool, &key, &altered).await,
        Err(receipt::ReceiptError::BadSignature)
    ));
    let other = ed25519_dalek::SigningKey::from_bytes(&[8; 32]);
    assert!(matches!(
        receipt::check(pool, &other.verifying_key(), &before).await,
        Err(receipt::ReceiptError::ForeignKey)
    ));
    app.stop().await;
}

/// Recomputes a stream's hashes as an attacker with superuser rights could.
async fn rechain(pool: &PgPool, case: CaseId) {
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("select set_config('session_replication_role', 'replica', true), set_config('casus.case', $1, true)")
        .bind(case.to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query(
        "do $$
         declare
           e record;
           previous bytea := '\\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
         begin
           for e in select * from events where aggregate_id = current_setting('casus.case') order by sequence loop
             update events set prev_hash = previous,
                    hash = sha256(previous || casus_event_canonical(e.aggregate_type, e.aggregate_id,
                           e.sequence, e.event_type, e.event_version, e.recorded_at, e.payload, e.metadata))
              where aggregate_id = e.aggregate_id and sequence = e.sequence
             returning hash into previous;
           end loop;
         end $$",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn the_state_at_a_version_or_moment_is_the_fold_of_the_events() {
    let app = TestApp::spawn().await;
    let store = app.db.store(0).await;
    // The first scripted case with a long life (some are closed after advice only).
    let mut seed = 6;
    let (case, events) = loop {
        let case = scripted_case(&store, seed).await;
        let events = store.events(case).await.unwrap();
        if events.len() > 15 {
            break (case, events);
        }
        seed += 1;
    };
    // The auditor's access is decided on the caseload view: wait until it has the case.
    for _ in 0..600 {
        let version: Option<i64> =
            sqlx::query_scalar("select version from caseload where case_id = $1")
                .bind(case.as_uuid())
                .fetch_optional(&app.db.pool)
                .await
                .unwrap();
        if version == Some(events.len() as i64) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let mut folded = YouthCase::default();
    let mut expected = vec![serde_json::to_value(&folded).unwrap()];
    for event in &events {
        folded.apply(event.payload.clone());
        expected.push(serde_json::to_value(&folded).unwrap());
    }
    for (k, state) in expected.iter().enumerate() {
        let answer = audit_get(&app, &format!("/api/v1/cases/{case}/state?version={k}")).await;
        assert_eq!(answer.status, 200, "{answer:?}");
        assert_eq!(answer.body["version"], k);
        assert_eq!(&answer.body["state"], state, "version {k}");
    }
    // Around each event's moment: at it, the event is in; a microsecond before, not.
    let times: Vec<(i64, chrono::DateTime<chrono::Utc>)> = sqlx::query_as(
        "select sequence, recorded_at from events where aggregate_id = $1 order by sequence",
    )
    .bind(case.to_string())
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    for (i, (sequence, at)) in times.iter().enumerate() {
        let last_at_moment = times
            .iter()
            .filter(|(_, t)| t <= at)
            .map(|(s, _)| *s)
            .max()
            .unwrap();
        let before = times
            .iter()
            .filter(|(_, t)| t < at)
            .map(|(s, _)| *s)
            .max()
            .unwrap_or(0);
        let at_moment = audit_get(
            &app,
            &format!("/api/v1/cases/{case}/state?at={}", stamp(*at)),
        )
        .await;
        assert_eq!(
            at_moment.body["version"], last_at_moment,
            "at event {sequence}"
        );
        let earlier = *at - chrono::Duration::microseconds(1);
        let just_before = audit_get(
            &app,
            &format!("/api/v1/cases/{case}/state?at={}", stamp(earlier)),
        )
        .await;
        assert_eq!(
            just_before.body["version"], before,
            "before event {sequence} ({i})"
        );
    }
    let neither = audit_get(&app, &format!("/api/v1/cases/{case}/state")).await;
    assert_eq!(neither.status, 400);
    app.stop().await;
}

fn stamp(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// The access-log rows written for one request.
async fn logged(app: &TestApp, answer: &Answer) -> Vec<Value> {
    let request = answer.header("x-request-id").unwrap().to_owned();
    sqlx::query_scalar::<_, Value>(
        "select to_jsonb(l) from access_log l where request_id = $1::uuid order by id",
    )
    .bind(request)
    .fetch_all(&app.db.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn every_read_and_every_refusal_is_in_the_access_log() {
    let app = TestApp::spawn().await;
    let sanne = User::worker("w-sanne", "zuid-1");
    let mut cases = Vec::new();
    let mut version = 0;
    for name in ["Jayden Bakker", "Noah de Jong"] {
        let opened = app
            .record(&sanne, "/api/v1/cases", referral(name, "2011-03-14"))
            .await;
        version = opened.version();
        cases.push(opened.body["case_id"].as_str().unwrap().to_owned());
    }
    // Both cases in the views before the list: the second was written last.
    let second = app
        .get(
            &sanne,
            &format!("/api/v1/cases/{}?minVersion={version}", cases[1]),
        )
        .await;
    assert_eq!(second.status, 200, "{second:?}");
    let case = &cases[0];
    let read = app
        .get(
            &sanne,
            &format!("/api/v1/cases/{case}?minVersion={version}"),
        )
        .await;
    let timeline = app
        .get(&sanne, &format!("/api/v1/cases/{case}/timeline"))
        .await;
    let list = app.get(&sanne, "/api/v1/cases").await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 2, "{list:?}");
    for (answer, action, view, basis, rows) in [
        (&read, "read", "social_case_view", "team", 1),
        (&timeline, "read", "case_timeline", "team", 1),
        (
            &list,
            "search",
            "case_list",
            "scope: assignment, team or partner",
            2,
        ),
    ] {
        assert_eq!(answer.status, 200, "{answer:?}");
        let entries = logged(&app, answer).await;
        assert_eq!(entries.len(), rows, "{view}: {entries:?}");
        for entry in &entries {
            assert_eq!(entry["action"], action);
            assert_eq!(entry["view"], view);
            assert_eq!(entry["outcome"], "allowed");
            assert_eq!(entry["user_id"], "w-sanne");
            assert_eq!(entry["basis"], basis);
            assert!(entry["subject_id"].is_string(), "{entry}");
            assert_eq!(entry["network_address"], "127.0.0.1");
        }
    }
    assert_eq!(logged(&app, &read).await[0]["case_id"], case.as_str());

    // The auditor's reads, each with its reason.
    for (route, action, view) in [
        ("history", "read", "history"),
        ("state?version=1", "read", "state"),
        ("export", "export", "export"),
    ] {
        let answer = audit_get(&app, &format!("/api/v1/cases/{case}/{route}")).await;
        assert_eq!(answer.status, 200, "{route}: {answer:?}");
        let entries = logged(&app, &answer).await;
        assert_eq!(entries.len(), 1, "{route}");
        assert_eq!(entries[0]["action"], action);
        assert_eq!(entries[0]["view"], view);
        assert_eq!(entries[0]["basis"], "audit: inquiry 2026-17");
        assert_eq!(entries[0]["purpose"], "inquiry 2026-17");
    }
    let export = audit_get(&app, &format!("/api/v1/cases/{case}/export")).await;
    assert_eq!(export.body["verification"]["ok"], true);
    let first = &export.body["events"][0];
    let mut hasher = <sha2::Sha256 as sha2::Digest>::new();
    sha2::Digest::update(&mut hasher, [0u8; 32]);
    sha2::Digest::update(&mut hasher, first["canonical"].as_str().unwrap().as_bytes());
    let hash: String = sha2::Digest::finalize(hasher)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        first["hash"], hash,
        "the export's first hash is checkable by hand"
    );
    assert!(export.body["access_log"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "export"));

    // Refusals: another team's worker, and an auditor without a reason.
    let omar = User::worker("w-omar", "zuid-2");
    let refused = app.get(&omar, &format!("/api/v1/cases/{case}")).await;
    assert_eq!(refused.status, 404);
    let no_reason = app
        .get(&auditor(), &format!("/api/v1/cases/{case}/history"))
        .await;
    assert_eq!(no_reason.status, 400);
    let write = app
        .post(
            &omar,
            &format!("/api/v1/cases/{case}/notes"),
            json!({ "confidentiality": "shared", "text": "x" }),
        )
        .await;
    assert_eq!(write.status, 404);
    for answer in [&refused, &no_reason, &write] {
        let entries = logged(&app, answer).await;
        assert_eq!(entries.len(), 1, "{entries:?}");
        assert_eq!(entries[0]["action"], "denied");
        assert_eq!(entries[0]["outcome"], "denied");
        assert_eq!(entries[0]["case_id"], case.as_str());
    }

    // The log is append-only, and the auditor reads it per case.
    for table in ["accesses", "accessed_cases"] {
        let changed = sqlx::query(&format!("delete from {table}"))
            .execute(&app.db.pool)
            .await;
        assert!(changed.unwrap_err().to_string().contains("append-only"));
    }
    let page = audit_get(
        &app,
        &format!("/api/v1/audit/access-log?caseId={case}&action=denied"),
    )
    .await;
    assert_eq!(page.status, 200, "{page:?}");
    assert_eq!(page.body["entries"].as_array().unwrap().len(), 3);
    // Its codes are Casus's: an unknown action is refused as a filter, and
    // by the table whoever writes it.
    let unknown = audit_get(&app, "/api/v1/audit/access-log?action=peek").await;
    assert_eq!(unknown.status, 400, "{unknown:?}");
    let forged = sqlx::query(
        "select casus_log_access('peek', 'allowed', 'x', 'x', null, 'x', 'social', 'x', null,
                                 null, 'x', 'case', 'x', gen_random_uuid(), '{}', '{}', '{}')",
    )
    .execute(&app.db.pool)
    .await;
    assert!(forged.unwrap_err().to_string().contains("access_action"));
    app.stop().await;
}

/// Appends a copy of the case's last event after it, as an operator with
/// the right to INSERT could; with `signature`, that signature as hex.
fn forged_insert(signature: Option<&str>) -> String {
    let signature = signature.map_or("null".into(), |hex| format!("decode('{hex}', 'hex')"));
    format!(
        "insert into events (aggregate_type, aggregate_id, sequence, event_type, event_version,
                             payload, metadata, signature)
         select aggregate_type, aggregate_id, sequence + 1, event_type, event_version, payload,
                metadata, {signature}
           from events where aggregate_id = $1 order by sequence desc limit 1"
    )
}

#[tokio::test]
async fn verify_names_an_event_casus_did_not_sign() {
    let app = TestApp::spawn().await;
    let store = app.db.store(0).await;
    let pool = &app.db.pool;
    let key = app.db.signer.verifying_key();
    let (unsigned, forged, intact) = (
        scripted_case(&store, 21).await,
        scripted_case(&store, 22).await,
        scripted_case(&store, 23).await,
    );
    let before = chain::verify(pool, &key, None, |_| {}).await.unwrap();
    assert!(before.ok, "{before:?}");
    assert_eq!(before.unsigned_before_signing, 0);

    // The chain trigger chains both like real events: only the signature tells.
    let mut next = Vec::new();
    for case in [unsigned, forged] {
        next.push(store.load(case).await.unwrap().unwrap().version() as i64 + 1);
    }
    for (case, sql) in [
        (unsigned, forged_insert(None)),
        (forged, forged_insert(Some(&"ab".repeat(64)))),
    ] {
        sqlx::query(&sql)
            .bind(case.to_string())
            .execute(pool)
            .await
            .unwrap();
    }
    // Raising the mark of where signing began hides nothing signed after it.
    sqlx::query("update event_signing set unsigned_through = 9223372036854775806")
        .execute(pool)
        .await
        .unwrap();
    let report = chain::verify(pool, &key, None, |_| {}).await.unwrap();
    assert!(!report.ok);
    assert_eq!(report.unsigned_before_signing, 0);
    let mut found: Vec<(String, i64, Breach)> = report
        .broken
        .iter()
        .map(|l| (l.case_id.clone(), l.sequence, l.breach))
        .collect();
    found.sort();
    let mut wanted = vec![
        (unsigned.to_string(), next[0], Breach::Unsigned),
        (forged.to_string(), next[1], Breach::BadSignature),
    ];
    wanted.sort();
    assert_eq!(found, wanted);
    assert!(!found.iter().any(|(case, ..)| *case == intact.to_string()));

    // Signed with another key is as good as forged.
    let other = casus_store::audit::signature::Signer::ephemeral();
    let elsewhere = chain::verify(
        pool,
        &other.verifying_key(),
        Some(&intact.to_string()),
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(elsewhere.broken[0].breach, Breach::BadSignature);
    app.stop().await;
}

#[tokio::test]
async fn a_changed_snapshot_is_ignored_and_named() {
    let app = TestApp::spawn().await;
    let pool = &app.db.pool;
    let store = app.db.store(1).await;
    let case = scripted_case(&store, 24).await;
    let honest = store.load(case).await.unwrap().unwrap();
    let snapshots: i64 =
        sqlx::query_scalar("select count(*) from snapshots where aggregate_id = $1")
            .bind(case.to_string())
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(snapshots, 1);

    // An operator adds a worker to the snapshot, with no event behind it.
    tamper(
        pool,
        "update snapshots set payload = jsonb_set(payload::jsonb, '{file,workers}',
                (payload::jsonb->'file'->'workers') || '[\"intruder\"]')::json
          where aggregate_id = $1",
        case,
    )
    .await;
    let changed: Value = sqlx::query_scalar(
        "select payload->'file'->'workers' from snapshots where aggregate_id = $1",
    )
    .bind(case.to_string())
    .fetch_one(pool)
    .await
    .unwrap();
    assert!(changed.to_string().contains("intruder"));
    let loaded = store.load(case).await.unwrap().unwrap();
    assert_eq!(
        loaded, honest,
        "the case is the fold of its events, not the snapshot"
    );

    let report = chain::verify(pool, &app.db.signer.verifying_key(), None, |_| {})
        .await
        .unwrap();
    assert!(!report.ok);
    assert!(
        report.broken.is_empty(),
        "the events are intact: {report:?}"
    );
    assert_eq!(report.broken_snapshots, [case.to_string()]);
    app.stop().await;
}

#[tokio::test]
async fn verify_names_a_changed_or_removed_access_log_entry() {
    let app = TestApp::spawn().await;
    let sanne = User::worker("w-sanne", "zuid-1");
    let (case, version) = app.open_case(&sanne).await;
    let case: CaseId = case.parse().unwrap();
    let path = format!("/api/v1/cases/{case}?minVersion={version}");
    for _ in 0..3 {
        let read = app.get(&sanne, &path).await;
        assert_eq!(read.status, 200, "{read:?}");
    }
    let pool = &app.db.pool;
    let key = app.db.signer.verifying_key();
    let log = |report: chain::Verification| report.access_log.expect("the access log is walked");
    let intact = log(chain::verify(pool, &key, None, |_| {}).await.unwrap());
    assert!(
        intact.accesses >= 3 && intact.broken.is_none(),
        "{intact:?}"
    );

    tamper(
        pool,
        "update accesses set purpose = 'nothing to see' where chain_position = 2 and $1 <> ''",
        case,
    )
    .await;
    let changed = log(chain::verify(pool, &key, None, |_| {}).await.unwrap());
    let broken = changed.broken.expect("a changed entry is found");
    assert_eq!((broken.position, broken.breach), (2, Breach::Changed));

    tamper(
        pool,
        "delete from accesses where chain_position in (1, 2) and $1 <> ''",
        case,
    )
    .await;
    let removed = log(chain::verify(pool, &key, None, |_| {}).await.unwrap());
    let broken = removed.broken.expect("a removed entry is found");
    assert_eq!((broken.position, broken.breach), (1, Breach::Missing));
    app.stop().await;
}

/// A list names its cases in one access; each case it named is covered by
/// the access's hash, so a case entry removed or changed is found.
#[tokio::test]
async fn verify_names_a_case_entry_changed_or_removed_from_a_list() {
    let app = TestApp::spawn().await;
    let sanne = User::worker("w-sanne", "zuid-1");
    let mut last = String::new();
    for name in ["Jayden Bakker", "Noah de Jong"] {
        let opened = app
            .record(&sanne, "/api/v1/cases", referral(name, "2011-03-14"))
            .await;
        last = format!(
            "/api/v1/cases/{}?minVersion={}",
            opened.body["case_id"].as_str().unwrap(),
            opened.version()
        );
    }
    // The last case in the views before the list.
    assert_eq!(app.get(&sanne, &last).await.status, 200);
    let list = app.get(&sanne, "/api/v1/cases").await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 2, "{list:?}");
    let pool = &app.db.pool;
    let (access, position): (i64, i64) = sqlx::query_as(
        "select access_id, chain_position from access_log where view = 'case_list'
          group by access_id, chain_position having count(*) = 2",
    )
    .fetch_one(pool)
    .await
    .expect("one access naming both cases");
    let key = app.db.signer.verifying_key();
    let walk = || async {
        chain::verify(pool, &key, None, |_| {})
            .await
            .unwrap()
            .access_log
            .expect("the access log is walked")
    };
    assert!(walk().await.broken.is_none());

    let other = CaseId::new();
    tamper(
        pool,
        &format!("update accessed_cases set case_id = '{other}' where access_id = {access} and entry = (select max(entry) from accessed_cases where access_id = {access}) and $1 <> ''"),
        other,
    )
    .await;
    let broken = walk().await.broken.expect("a changed case entry is found");
    assert_eq!(
        (broken.position, broken.breach),
        (position, Breach::Changed)
    );

    tamper(
        pool,
        &format!("delete from accessed_cases where access_id = {access} and case_id = '{other}' and $1 <> ''"),
        other,
    )
    .await;
    let broken = walk().await.broken.expect("a removed case entry is found");
    assert_eq!(
        (broken.position, broken.breach),
        (position, Breach::Changed)
    );
    app.stop().await;
}

/// An access as a read of `user` logs it.
fn access_of(user: &str) -> Access {
    Access {
        action: AccessAction::Read,
        outcome: Outcome::Allowed,
        user_id: user.to_owned(),
        user_name: "Sanne de Vries".into(),
        role: Some("case_worker".into()),
        organisation: "gemeente-rotterdam".into(),
        domain: "social".into(),
        purpose: "case work as case_worker".into(),
        network_address: None,
        view: "social_case_view",
        sensitivity: Sensitivity::Case,
        basis: "team".into(),
        request_id: uuid::Uuid::now_v7(),
        municipality: Some("GM0599".into()),
    }
}

/// Sends every access of `reads` (with the cases it names) to the writer
/// while another instance holds the chain, then lets it go; answers each
/// read's outcome.
async fn logged_while_the_chain_is_held(
    pool: &PgPool,
    log: &AccessLog,
    reads: &[(Access, Vec<Named>)],
) -> Vec<Result<(), sqlx::Error>> {
    let chain = "select pg_advisory_lock(hashtext('casus access log chain'))";
    let mut other = pool.acquire().await.unwrap();
    sqlx::query(chain).execute(&mut *other).await.unwrap();
    let mut reads: FuturesOrdered<_> = reads
        .iter()
        .map(|(access, cases)| log.record(access, cases, true))
        .collect();
    // One poll sends every entry; the writer then waits for the chain.
    assert!(futures::poll!(reads.next()).is_pending());
    let waiting = "select count(*) from pg_locks where locktype = 'advisory' and not granted";
    for _ in 0..500 {
        let (n,): (i64,) = sqlx::query_as(waiting).fetch_one(pool).await.unwrap();
        if n > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    sqlx::query("select pg_advisory_unlock(hashtext('casus access log chain'))")
        .execute(&mut *other)
        .await
        .unwrap();
    reads.collect().await
}

/// Reads that come while the access log is written wait for one transaction
/// together rather than each for its own, and the chain holds.
#[tokio::test]
async fn reads_that_come_together_are_logged_in_one_transaction() {
    let db = TestDb::new().await;
    let log = AccessLog::start(db.pool.clone());
    let users: Vec<String> = (0..12).map(|n| format!("w-group-{n}")).collect();
    let reads: Vec<_> = users.iter().map(|user| (access_of(user), vec![])).collect();
    let outcomes = logged_while_the_chain_is_held(&db.pool, &log, &reads).await;
    assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");
    let (entries, transactions): (i64, i64) = sqlx::query_as(
        "select count(*), count(distinct xmin::text) from accesses where user_id like 'w-group-%'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    // The first to come may have been taken alone, before the others came.
    assert_eq!(entries, 12);
    assert!(
        transactions <= 2,
        "{transactions} transactions for 12 reads"
    );
    the_access_log_holds(&db, 12).await;
}

/// Logged together, each access keeps the cases it named, in its order, and
/// one that names none is logged as itself.
#[tokio::test]
async fn each_access_of_a_group_keeps_its_own_cases() {
    let db = TestDb::new().await;
    let log = AccessLog::start(db.pool.clone());
    let named = |n: usize| -> Vec<Named> {
        (0..n)
            .map(|i| Named {
                case_id: uuid::Uuid::now_v7(),
                municipality: Some(format!("GM{i:04}")),
            })
            .collect()
    };
    let reads: Vec<(Access, Vec<Named>)> = [2, 0, 3, 1]
        .into_iter()
        .enumerate()
        .map(|(n, cases)| (access_of(&format!("w-own-{n}")), named(cases)))
        .collect();
    let outcomes = logged_while_the_chain_is_held(&db.pool, &log, &reads).await;
    assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");
    for (access, cases) in &reads {
        let entries: Vec<(Option<uuid::Uuid>, Option<String>)> = sqlx::query_as(
            "select case_id, municipality from access_log where user_id = $1 order by id",
        )
        .bind(&access.user_id)
        .fetch_all(&db.pool)
        .await
        .unwrap();
        let expected: Vec<(Option<uuid::Uuid>, Option<String>)> = if cases.is_empty() {
            vec![(None, access.municipality.clone())]
        } else {
            cases
                .iter()
                .map(|c| (Some(c.case_id), c.municipality.clone()))
                .collect()
        };
        assert_eq!(entries, expected, "{}", access.user_id);
    }
    the_access_log_holds(&db, 4).await;
}

/// The access log's chain verifies and holds `accesses` accesses.
async fn the_access_log_holds(db: &TestDb, accesses: u64) {
    let report = chain::verify(&db.pool, &db.signer.verifying_key(), None, |_| {})
        .await
        .unwrap();
    let walked = report.access_log.expect("the access log is walked");
    assert!(
        walked.accesses == accesses && walked.broken.is_none(),
        "{walked:?}"
    );
}

/// An entry the database refuses fails its own read, not the reads logged
/// with it.
#[tokio::test]
async fn an_entry_the_database_refuses_fails_its_read_alone() {
    let db = TestDb::new().await;
    let log = AccessLog::start(db.pool.clone());
    // PostgreSQL's text holds no NUL.
    let reads: Vec<_> = ["w-before", "w-\0-refused", "w-after"]
        .iter()
        .map(|user| (access_of(user), vec![]))
        .collect();
    let outcomes = logged_while_the_chain_is_held(&db.pool, &log, &reads).await;
    assert!(outcomes[0].is_ok() && outcomes[2].is_ok(), "{outcomes:?}");
    assert!(outcomes[1].is_err(), "{outcomes:?}");
    let logged: Vec<(String,)> =
        sqlx::query_as("select user_id from accesses order by chain_position")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    assert_eq!(logged, [("w-before".into(),), ("w-after".into(),)]);
}
