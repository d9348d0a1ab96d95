//! Notifications to partners against a real NATS with JetStream (a private
//! `nats-server -js` per test, so one can be stopped and started again) and
//! a real HTTP receiver: every notification of a journey arrives once per
//! recipient in order; a batch sent again is stored once; NATS away for a
//! while loses nothing; a failing webhook gets its deliveries later, in
//! order, signed; a publisher killed between the acknowledgement and its
//! checkpoint sends again and NATS stores once; a partner whose consent was
//! withdrawn hears nothing more; a partner not involved hears nothing; no
//! message holds personal data.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_nats::jetstream;
use axum::http::{HeaderMap, StatusCode};
use casus_notifications::webhook::signature;
use serde_json::{json, Value};

use crate::api::app::{referral, TestApp, User};

/// A NATS server of the test's own, with JetStream, on a free port.
struct NatsServer {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl NatsServer {
    async fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let child = spawn(port, dir.path());
        let server = Self { child, port, dir };
        server.answering().await;
        server
    }

    fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    async fn answering(&self) {
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .is_ok()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("nats-server did not come up on port {}", self.port);
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    async fn start_again(&mut self) {
        self.child = spawn(self.port, self.dir.path());
        self.answering().await;
    }

    /// Every message in the stream, in stream order.
    async fn messages(&self) -> Vec<(String, Value, String)> {
        let client = async_nats::connect(self.url()).await.unwrap();
        let js = jetstream::new(client);
        let mut stream = js
            .get_stream(casus_notifications::nats::STREAM)
            .await
            .unwrap();
        let last = stream.info().await.unwrap().state.last_sequence;
        let mut messages = Vec::new();
        for sequence in 1..=last {
            let message = stream.get_raw_message(sequence).await.unwrap();
            let id = message
                .headers
                .get(async_nats::header::NATS_MESSAGE_ID)
                .map(|v| v.to_string())
                .unwrap_or_default();
            let body: Value = serde_json::from_slice(&message.payload).unwrap();
            messages.push((message.subject.to_string(), body, id));
        }
        messages
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn spawn(port: u16, dir: &std::path::Path) -> Child {
    let binary = [
        "nats-server",
        "/usr/sbin/nats-server",
        "/usr/bin/nats-server",
    ]
    .into_iter()
    .find(|b| Command::new(b).arg("--version").output().is_ok())
    .expect("nats-server is installed (Debian's package nats-server; .ci/run installs it)");
    Command::new(binary)
        .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nats-server starts")
}

fn worker() -> User {
    User::worker("w-1", "zuid-1")
}

fn admin() -> User {
    User {
        sub: "admin-1",
        org: "gemeente-rotterdam",
        domain: "social",
        roles: &["admin"],
        municipality: Some("GM0599"),
        team: None,
    }
}

/// A case with Halt involved on a legal task, an intervention of Halt's and
/// one of another provider planned, and a review scheduled.
async fn journey(app: &TestApp) -> String {
    let (case, _) = app.open_case(&worker()).await;
    let path = |p: &str| format!("/api/v1/cases/{case}{p}");
    let steps = [
        (
            "/triage",
            json!({"decision": "take_on", "decided_by": "triage meeting Zuid", "decided_on": "2026-11-03"}),
        ),
        ("/include", json!({"included_on": "2026-11-04"})),
        (
            "/leads",
            json!({"role": "case_lead", "lead": {"id": "w-1", "name": "User w-1", "team": "zuid-1"}}),
        ),
        (
            "/partners",
            json!({"partner": "halt-rotterdam", "partner_domain": "justice",
            "basis": {"basis": "legal_task", "provision": "Wetboek van Strafrecht art. 77e"},
            "involved_on": "2026-11-04"}),
        ),
        (
            "/plan",
            json!({"goals": [{"description": "attends school 90% of the time",
            "target_date": "2027-02-01"}], "agreed_with": {"youth": true, "parent_or_guardian": true},
            "agreed_on": "2026-11-05"}),
        ),
        (
            "/interventions",
            json!({"kind": "mentoring", "provider": "halt-rotterdam",
            "domain": "justice", "planned_on": "2026-11-06"}),
        ),
        (
            "/interventions",
            json!({"kind": "mentoring", "provider": "jongerenwerk-zuid",
            "domain": "social", "planned_on": "2026-11-06"}),
        ),
        ("/reviews", json!({"due_on": "2027-01-15"})),
    ];
    for (step, body) in steps {
        if step == "/plan" {
            let agreed = app.put(&worker(), &path(step), body).await;
            assert!(agreed.status.is_success(), "{}", agreed.body);
        } else {
            app.record(&worker(), &path(step), body).await;
        }
    }
    case
}

/// Waits until `count()` stops growing and reaches at least `least`.
async fn settled<F, Fut>(least: usize, mut count: F) -> usize
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = usize>,
{
    let mut last = 0;
    for _ in 0..200 {
        let now = count().await;
        if now >= least && now == last {
            return now;
        }
        last = now;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    last
}

/// The personal values a journey recorded: none may leave Casus.
const PERSONAL: [&str; 6] = [
    "attends school",
    "Jayden",
    "Bakker",
    "2011-03-14",
    "repeated nuisance",
    "Wetboek van Strafrecht",
];

fn personal_free(body: &str) {
    for value in PERSONAL {
        assert!(!body.contains(value), "{value:?} left Casus: {body}");
    }
}

#[tokio::test]
async fn every_notification_of_a_journey_reaches_each_recipient_once_in_order_without_personal_data(
) {
    let nats = NatsServer::start().await;
    let app = TestApp::spawn_notifying(Some(nats.url())).await;
    let case = journey(&app).await;
    // Municipality: referral, involvement, two interventions, review; Halt:
    // its involvement, its intervention, the review.
    let count = settled(8, || async { nats.messages().await.len() }).await;
    assert_eq!(count, 8);
    let messages = nats.messages().await;
    let mut ids: Vec<&str> = messages.iter().map(|(_, _, id)| id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), messages.len(), "each notification once");
    for (subject, body, id) in &messages {
        personal_free(&body.to_string());
        assert_eq!(
            body["id"].as_str(),
            Some(id.as_str()),
            "Nats-Msg-Id is the CloudEvent id"
        );
        assert_eq!(body["specversion"], "1.0");
        assert_eq!(body["subject"], case.as_str());
        assert_eq!(body["datacontenttype"], "application/json");
        assert!(body["dataref"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/api/v1/cases/{case}")));
        let kind = subject.rsplit('.').next().unwrap();
        assert_eq!(body["type"], format!("nl.preventie-met-gezag.casus.{kind}"));
    }
    let of = |who: &str| -> Vec<(String, i64)> {
        messages
            .iter()
            .filter(|(subject, _, _)| subject.starts_with(&format!("casus.GM0599.{who}.")))
            .map(|(subject, body, _)| {
                let kind = subject.rsplit('.').next().unwrap().to_owned();
                (kind, body["sequence"].as_str().unwrap().parse().unwrap())
            })
            .collect()
    };
    let halt = of("halt-rotterdam");
    let kinds: Vec<&str> = halt.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "partner-betrokken",
            "interventie-gepland",
            "evaluatie-gepland"
        ]
    );
    assert!(
        halt.windows(2).all(|w| w[0].1 < w[1].1),
        "in order: {halt:?}"
    );
    let municipality = of("gemeente");
    let kinds: Vec<&str> = municipality.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "casus-aangemeld",
            "partner-betrokken",
            "interventie-gepland",
            "interventie-gepland",
            "evaluatie-gepland"
        ]
    );
    assert!(
        of("jongerenwerk-zuid").is_empty(),
        "a provider not involved hears nothing"
    );
    assert!(
        of("politie-rotterdam").is_empty(),
        "the referrer is not involved"
    );
}

#[tokio::test]
async fn a_batch_sent_again_after_a_lost_checkpoint_is_stored_once() {
    let nats = NatsServer::start().await;
    let app = TestApp::spawn_notifying(Some(nats.url())).await;
    journey(&app).await;
    let count = settled(8, || async { nats.messages().await.len() }).await;
    assert_eq!(count, 8);
    // As if the publisher was killed after NATS acknowledged and before its
    // checkpoint committed: it starts again from before the batch.
    let first: i64 = sqlx::query_scalar("select min(global_position) from events")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert!(
        casus_notifications::status::replay_from(&app.db.pool, "nats", first)
            .await
            .unwrap()
    );
    let delivered_again = settled(16, || async {
        let delivered: i64 =
            sqlx::query_scalar("select delivered from notification_targets where target = 'nats'")
                .fetch_one(&app.db.pool)
                .await
                .unwrap();
        delivered as usize
    })
    .await;
    assert_eq!(delivered_again, 16, "every notification was sent again");
    assert_eq!(
        nats.messages().await.len(),
        8,
        "and stored once (Nats-Msg-Id)"
    );
}

#[tokio::test]
async fn nats_away_for_a_while_loses_nothing_and_the_wait_is_visible() {
    let mut nats = NatsServer::start().await;
    let app = TestApp::spawn_notifying(Some(nats.url())).await;
    let opened = app
        .record(
            &worker(),
            "/api/v1/cases",
            referral("Jayden Bakker", "2011-03-14"),
        )
        .await;
    settled(1, || async { nats.messages().await.len() }).await;
    nats.stop();
    // Written while NATS is away.
    journey(&app).await;
    let failing = settled(1, || async {
        let ready = reqwest::get(format!("{}/ready", app.base)).await.unwrap();
        let body: Value = ready.json().await.unwrap();
        body["notifications"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|t| t["target"] == "nats" && !t["error"].is_null())
            .count()
    })
    .await;
    assert_eq!(failing, 1, "/ready says the NATS target is failing");
    nats.start_again().await;
    let count = settled(9, || async { nats.messages().await.len() }).await;
    assert_eq!(
        count, 9,
        "the first referral and the whole journey, once each"
    );
    let _ = opened;
}

/// A delivery as the receiver got it: its headers and body.
type Delivered = (HeaderMap, Vec<u8>);

/// A webhook receiver that fails its first `failures` deliveries.
#[derive(Clone, Default)]
struct Receiver {
    received: Arc<Mutex<Vec<Delivered>>>,
    failures: Arc<Mutex<usize>>,
}

async fn receiver(failures: usize) -> (Receiver, String) {
    let receiver = Receiver {
        failures: Arc::new(Mutex::new(failures)),
        ..Receiver::default()
    };
    let state = receiver.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let state = state.clone();
            async move {
                let mut failures = state.failures.lock().unwrap();
                if *failures > 0 {
                    *failures -= 1;
                    return StatusCode::SERVICE_UNAVAILABLE;
                }
                state
                    .received
                    .lock()
                    .unwrap()
                    .push((headers, body.to_vec()));
                StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (receiver, url)
}

#[tokio::test]
async fn a_failing_webhook_gets_its_deliveries_later_in_order_and_signed() {
    let app = TestApp::spawn_notifying(None).await;
    let (receiver, url) = receiver(2).await;
    let subscribed = app
        .post(
            &admin(),
            "/api/v1/subscriptions",
            json!({"callback_url": url, "partner": "halt-rotterdam", "municipality": "GM0599",
                   "authorization": "Bearer halt-token"}),
        )
        .await;
    assert_eq!(subscribed.status, 201, "{}", subscribed.body);
    let secret = subscribed.body["secret"].as_str().unwrap().to_owned();
    // A worker may not subscribe anyone.
    let refused = app
        .post(
            &worker(),
            "/api/v1/subscriptions",
            json!({"callback_url": "https://x.example/", "partner": "halt-rotterdam"}),
        )
        .await;
    assert_eq!(refused.status, 403);
    // Its publisher starts within a few seconds: then the journey.
    tokio::time::sleep(Duration::from_secs(3)).await;
    journey(&app).await;
    let count = settled(3, || async { receiver.received.lock().unwrap().len() }).await;
    assert_eq!(count, 3);
    let received = receiver.received.lock().unwrap().clone();
    let mut sequences = Vec::new();
    for (headers, body) in &received {
        assert_eq!(headers["authorization"], "Bearer halt-token");
        assert_eq!(headers["content-type"], "application/cloudevents+json");
        let sent = headers["casus-signature"].to_str().unwrap();
        let at: i64 = sent[2..sent.find(',').unwrap()].parse().unwrap();
        assert_eq!(sent, signature(&secret, at, body), "the signature checks");
        personal_free(std::str::from_utf8(body).unwrap());
        let body: Value = serde_json::from_slice(body).unwrap();
        sequences.push(body["sequence"].as_str().unwrap().parse::<i64>().unwrap());
    }
    assert!(
        sequences.windows(2).all(|w| w[0] < w[1]),
        "in order: {sequences:?}"
    );
}

#[tokio::test]
async fn a_webhook_failing_too_often_stops_at_its_dead_letter_until_redelivered() {
    let app = TestApp::spawn_notifying(None).await;
    let (receiver, url) = receiver(usize::MAX).await;
    let subscribed = app
        .post(
            &admin(),
            "/api/v1/subscriptions",
            json!({"callback_url": url, "municipality": "GM0599"}),
        )
        .await;
    let id = subscribed.body["id"].as_str().unwrap().to_owned();
    tokio::time::sleep(Duration::from_secs(3)).await;
    app.record(
        &worker(),
        "/api/v1/cases",
        referral("Jayden Bakker", "2011-03-14"),
    )
    .await;
    // Three failures (the test server's setting) and it stops.
    let dead = settled(1, || async {
        let read = app
            .get(&admin(), &format!("/api/v1/subscriptions/{id}"))
            .await;
        usize::from(read.body["delivery"]["dead"] == true)
    })
    .await;
    assert_eq!(dead, 1, "dead after its attempts");
    *receiver.failures.lock().unwrap() = 0;
    let again = app
        .post(
            &admin(),
            &format!("/api/v1/subscriptions/{id}/redeliveries"),
            json!({}),
        )
        .await;
    assert_eq!(again.status, 200);
    let count = settled(1, || async { receiver.received.lock().unwrap().len() }).await;
    assert_eq!(count, 1, "the referral, delivered after the redelivery");
}

#[tokio::test]
async fn a_partner_whose_consent_was_withdrawn_hears_of_it_and_then_nothing() {
    let nats = NatsServer::start().await;
    let app = TestApp::spawn_notifying(Some(nats.url())).await;
    let (case, _) = app.open_case(&worker()).await;
    let path = |p: &str| format!("/api/v1/cases/{case}{p}");
    let consent = app
        .record(
            &worker(),
            &path("/consents"),
            json!({"partner": "halt-rotterdam",
            "purpose": "information_sharing", "given_by": "youth", "given_on": "2026-11-03",
            "valid_until": null}),
        )
        .await;
    let consent_id = consent.body["ids"][0].as_str().unwrap().to_owned();
    app.record(
        &worker(),
        &path("/partners"),
        json!({"partner": "halt-rotterdam",
        "partner_domain": "justice", "basis": {"basis": "consent", "consent_id": consent_id},
        "involved_on": "2026-11-04"}),
    )
    .await;
    let today = casus_store::clock::today().to_string();
    app.record(
        &worker(),
        &path(&format!("/consents/{consent_id}/withdraw")),
        json!({"withdrawn_on": today}),
    )
    .await;
    app.record(
        &worker(),
        &path("/reviews"),
        json!({"due_on": "2027-01-15"}),
    )
    .await;
    // Municipality: referral, involvement, the basis ended, review (4); Halt: 2.
    settled(6, || async { nats.messages().await.len() }).await;
    let halt: Vec<String> = nats
        .messages()
        .await
        .into_iter()
        .filter(|(s, _, _)| s.starts_with("casus.GM0599.halt-rotterdam."))
        .map(|(s, _, _)| s.rsplit('.').next().unwrap().to_owned())
        .collect();
    assert_eq!(halt, ["partner-betrokken", "grondslag-beeindigd"]);
}

/// NATS as a target that hangs after NATS acknowledged a batch, before the
/// publisher could commit its checkpoint: killed there, like a crash.
struct HangsAfterAck(casus_notifications::nats::Nats);

#[async_trait::async_trait]
impl casus_notifications::Target for HangsAfterAck {
    fn name(&self) -> String {
        "nats".into()
    }

    fn wants(&self, _: &casus_notifications::Notification) -> bool {
        true
    }

    async fn deliver(
        &self,
        batch: &[casus_notifications::Notification],
    ) -> casus_notifications::Delivery {
        self.0.deliver(batch).await;
        std::future::pending().await
    }
}

#[tokio::test]
async fn a_publisher_killed_after_the_ack_and_before_its_checkpoint_delivers_everything_once() {
    use casus_notifications::nats::{Nats, STREAM};
    use casus_notifications::{Publisher, Settings};
    let nats = NatsServer::start().await;
    let app = TestApp::spawn().await;
    let pool = app.db.pool.clone();
    let url = nats.url();
    let connect = || Nats::connect(&url, STREAM, Settings::default());
    let hanging = Publisher::new(
        pool.clone(),
        Arc::new(HangsAfterAck(connect().await.unwrap())),
    );
    hanging.register().await.unwrap();
    journey(&app).await;
    // A catch-up returns early while an older transaction (of any test on
    // the cluster) holds the journey's events back: go on until it hangs.
    let killed = tokio::spawn(async move {
        loop {
            hanging.catch_up().await.unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    });
    // NATS has (a first part of) the batch: the publisher hangs there.
    let acknowledged = settled(1, || async { nats.messages().await.len() }).await;
    assert!(acknowledged > 0, "NATS acknowledged the batch");
    killed.abort();
    let _ = killed.await;
    let delivered: i64 =
        sqlx::query_scalar("select delivered from notification_targets where target = 'nats'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(delivered, 0, "the checkpoint did not move");

    let restarted = Publisher::new(pool.clone(), Arc::new(connect().await.unwrap()));
    let delivered = settled(8, || async {
        restarted.catch_up().await.unwrap();
        let delivered: i64 =
            sqlx::query_scalar("select delivered from notification_targets where target = 'nats'")
                .fetch_one(&pool)
                .await
                .unwrap();
        delivered as usize
    })
    .await;
    assert_eq!(delivered, 8, "sent again after the restart, all of it");
    assert_eq!(nats.messages().await.len(), 8, "stored once: Nats-Msg-Id");
}

/// Every string a seeded log holds as personal data, opened.
fn personal_values(value: &Value, inside: bool, into: &mut Vec<String>) {
    match value {
        Value::String(text) if inside => into.push(text.clone()),
        Value::Object(fields) => {
            for (key, field) in fields {
                personal_values(field, inside || key == casus_domain::OPEN_MARK, into);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| personal_values(i, inside, into)),
        _ => {}
    }
}

#[tokio::test]
async fn no_message_of_a_seeded_run_holds_a_seeded_personal_value() {
    use casus_notifications::nats::{Nats, STREAM};
    use casus_notifications::{Publisher, Settings};
    use casus_store::log::{read_after, Decoder, Position};
    let nats = NatsServer::start().await;
    let db = crate::support::TestDb::new().await;
    let today = casus_store::clock::today();
    casus::seed::write(&db.pool, &db.keyring, &db.signer, 80, 7, today)
        .await
        .unwrap();
    let target = Nats::connect(&nats.url(), STREAM, Settings::default())
        .await
        .unwrap();
    let publisher = Publisher::new(db.pool.clone(), Arc::new(target));
    publisher.register().await.unwrap();
    assert!(
        casus_notifications::status::replay_from(&db.pool, "nats", 1)
            .await
            .unwrap()
    );
    // A gap-free reader holds events back while an older transaction of
    // any test on the cluster runs: wait until every seeded event is
    // readable, then publish them all.
    let mut conn = db.pool.acquire().await.unwrap();
    let decoder = Decoder::new(db.keyring.clone());
    let stored: i64 = sqlx::query_scalar("select count(*) from events")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let events = settled(stored as usize, || async {
        read_after(
            &mut db.pool.acquire().await.unwrap(),
            Position::default(),
            1_000_000,
            &decoder,
        )
        .await
        .unwrap()
        .len()
    })
    .await;
    assert_eq!(events, stored as usize, "every seeded event readable");
    let events = read_after(&mut conn, Position::default(), 1_000_000, &decoder)
        .await
        .unwrap();
    publisher.catch_up().await.unwrap();
    let mut personal = Vec::new();
    for event in &events {
        personal_values(
            &serde_json::to_value(&event.event).unwrap(),
            false,
            &mut personal,
        );
    }
    personal.retain(|value| value.chars().count() >= 5);
    personal.sort();
    personal.dedup();
    assert!(
        personal.len() > 100,
        "the seed wrote personal data: {}",
        personal.len()
    );
    let messages = nats.messages().await;
    assert!(
        messages.len() > 50,
        "the seeded run made notifications: {}",
        messages.len()
    );
    for (subject, body, _) in &messages {
        let body = body.to_string();
        for value in &personal {
            assert!(
                !body.contains(value.as_str()),
                "{subject} holds {value:?}: {body}"
            );
        }
    }
}

#[tokio::test]
async fn an_administrator_of_one_municipality_cannot_subscribe_to_or_see_anothers() {
    let app = TestApp::spawn_notifying(None).await;
    let amsterdam = User {
        municipality: Some("GM0363"),
        ..admin()
    };
    // Rotterdam's own notifications, to Amsterdam's receiver: refused.
    let theirs =
        json!({"callback_url": "https://amsterdam.example/hook", "municipality": "GM0599"});
    let refused = app.post(&amsterdam, "/api/v1/subscriptions", theirs).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    // A partner's notifications: only of the administrator's own municipality.
    let partner = json!({"callback_url": "https://halt.example/hook", "partner": "halt-rotterdam"});
    let made = app.post(&amsterdam, "/api/v1/subscriptions", partner).await;
    assert_eq!(made.status, 201, "{}", made.body);
    assert_eq!(made.body["municipality"], "GM0363");
    // Rotterdam's subscription is not Amsterdam's to see, end or redeliver.
    let ours = json!({"callback_url": "https://rotterdam.example/hook", "municipality": "GM0599"});
    let rotterdam = app.post(&admin(), "/api/v1/subscriptions", ours).await;
    let id = rotterdam.body["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/subscriptions/{id}");
    assert_eq!(app.get(&amsterdam, &path).await.status, 404);
    let gone = app
        .send(Some(&amsterdam), reqwest::Method::DELETE, &path, None, &[])
        .await;
    assert_eq!(gone.status, 404);
    let again = app
        .post(&amsterdam, &format!("{path}/redeliveries"), json!({}))
        .await;
    assert_eq!(again.status, 404);
    let listed = app.get(&amsterdam, "/api/v1/subscriptions").await;
    let ids: Vec<&str> = listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert!(!ids.contains(&id.as_str()), "{ids:?}");
    assert_eq!(
        app.get(&admin(), &path).await.status,
        200,
        "its own administrator sees it"
    );
}
