//! The real server on port 0 against a test database, a development key in
//! a temporary directory, and users to send requests as.

use std::time::Duration;

use casus::serve::{Notifying, Options, Server};
use casus_api::auth::dev::{self, DevKey};
use casus_api::auth::Claims;
use casus_api::{Authenticator, Settings};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::support::TestDb;

/// A user of Casus, as their token describes them.
#[derive(Clone, Debug)]
pub struct User {
    pub sub: &'static str,
    pub org: &'static str,
    pub domain: &'static str,
    pub roles: &'static [&'static str],
    pub municipality: Option<&'static str>,
    pub team: Option<&'static str>,
}

pub const ROTTERDAM: &str = "GM0599";
pub const AMSTERDAM: &str = "GM0363";

impl User {
    pub fn worker(sub: &'static str, team: &'static str) -> Self {
        Self {
            sub,
            org: "gemeente-rotterdam",
            domain: "social",
            roles: &["case_worker"],
            municipality: Some(ROTTERDAM),
            team: Some(team),
        }
    }

    pub fn with_roles(mut self, roles: &'static [&'static str]) -> Self {
        self.roles = roles;
        self
    }

    pub fn claims(&self) -> Claims {
        let now = chrono::Utc::now().timestamp();
        Claims {
            sub: self.sub.into(),
            name: format!("User {}", self.sub),
            org: self.org.into(),
            domain: self.domain.into(),
            roles: self.roles.iter().map(|r| r.to_string()).collect(),
            municipality: self.municipality.map(Into::into),
            team: self.team.map(Into::into),
            iss: dev::ISSUER.into(),
            aud: dev::AUDIENCE.into(),
            exp: now + 3600,
            nbf: Some(now - 5),
            iat: Some(now),
        }
    }
}

/// An answer: status, headers, and the body as JSON (`Null` if empty or not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The version a write answered with.
    pub fn version(&self) -> u64 {
        self.body["version"]
            .as_u64()
            .unwrap_or_else(|| panic!("no version in {self:?}"))
    }
}

pub struct TestApp {
    pub db: TestDb,
    pub base: String,
    pub key: DevKey,
    pub client: reqwest::Client,
    server: Option<Server>,
    _dir: tempfile::TempDir,
}

impl TestApp {
    /// The server, with reads waiting up to 20 s for `minVersion` (a
    /// busy CI machine may lag).
    pub async fn spawn() -> Self {
        Self::spawn_with(Settings {
            read_wait: Duration::from_secs(20),
            ..Settings::default()
        })
        .await
    }

    pub async fn spawn_with(settings: Settings) -> Self {
        Self::spawn_limited(settings, casus::http::Limits::default()).await
    }

    /// The server with `settings` and these connection limits.
    pub async fn spawn_limited(settings: Settings, connections: casus::http::Limits) -> Self {
        Self::spawn_full(settings, connections, Notifying::default()).await
    }

    /// The server publishing notifications to NATS at `nats` (and webhooks,
    /// which stop after three failures in a row).
    pub async fn spawn_notifying(nats: Option<String>) -> Self {
        let notifying = Notifying {
            nats: nats.map(|url| (url, casus_notifications::nats::STREAM.to_owned())),
            webhook_attempts: 3,
            ..Notifying::default()
        };
        let settings = Settings {
            read_wait: Duration::from_secs(20),
            ..Settings::default()
        };
        Self::spawn_full(settings, casus::http::Limits::default(), notifying).await
    }

    async fn spawn_full(
        settings: Settings,
        connections: casus::http::Limits,
        notifying: Notifying,
    ) -> Self {
        let db = TestDb::new().await;
        let dir = tempfile::tempdir().expect("a temporary directory");
        let key = DevKey::load_or_create(dir.path()).expect("a development key");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let options = Options {
            auth: Authenticator::new(key.key_source(), dev::ISSUER, dev::AUDIENCE),
            settings,
            keyring: db.keyring.clone(),
            signer: db.signer.clone(),
            snapshot_every: 5,
            case_cache: 1_000,
            idempotency_keep: Duration::from_secs(3600),
            connections,
            notifying,
        };
        let server = Server::start(db.pool.clone(), listener, options)
            .await
            .expect("the server starts");
        Self {
            base: format!("http://{}", server.address),
            db,
            key,
            client: reqwest::Client::new(),
            server: Some(server),
            _dir: dir,
        }
    }

    pub fn token(&self, user: &User) -> String {
        self.key.sign(&user.claims())
    }

    /// A second Casus on the same database and keys, as a second instance
    /// behind a load balancer would be; answers its base URL.
    pub async fn second(&self) -> (String, Server) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let options = Options {
            auth: Authenticator::new(self.key.key_source(), dev::ISSUER, dev::AUDIENCE),
            settings: Settings {
                read_wait: Duration::from_secs(20),
                ..Settings::default()
            },
            keyring: self.db.keyring.clone(),
            signer: self.db.signer.clone(),
            snapshot_every: 5,
            case_cache: 1_000,
            idempotency_keep: Duration::from_secs(3600),
            connections: casus::http::Limits::default(),
            notifying: Notifying::default(),
        };
        let server = Server::start(self.db.pool.clone(), listener, options)
            .await
            .expect("the second server starts");
        (format!("http://{}", server.address), server)
    }

    pub async fn send(
        &self,
        user: Option<&User>,
        method: Method,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(user) = user {
            request = request.bearer_auth(self.token(user));
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("a body");
        Answer {
            status,
            headers,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        }
    }

    pub async fn get(&self, user: &User, path: &str) -> Answer {
        self.send(Some(user), Method::GET, path, None, &[]).await
    }

    pub async fn post(&self, user: &User, path: &str, body: Value) -> Answer {
        self.send(Some(user), Method::POST, path, Some(&body), &[])
            .await
    }

    pub async fn put(&self, user: &User, path: &str, body: Value) -> Answer {
        self.send(Some(user), Method::PUT, path, Some(&body), &[])
            .await
    }

    /// A request as `user`, so that Casus knows them as its token says (a
    /// worker is assignable once known).
    pub async fn sign_in(&self, user: &User) {
        let answer = self.get(user, "/api/v1/cases").await;
        assert_ne!(answer.status, 401, "{}", answer.body);
    }

    /// Opens a case for Jayden Bakker as `user`; answers its id and version.
    pub async fn open_case(&self, user: &User) -> (String, u64) {
        let opened = self
            .record(
                user,
                "/api/v1/cases",
                referral("Jayden Bakker", "2011-03-14"),
            )
            .await;
        let case = opened.body["case_id"].as_str().unwrap().to_owned();
        (case, opened.version())
    }

    /// Posts and insists on success; answers the new version.
    pub async fn record(&self, user: &User, path: &str, body: Value) -> Answer {
        let answer = self.post(user, path, body).await;
        assert!(
            answer.status.is_success(),
            "POST {path} answered {}: {}",
            answer.status,
            answer.body
        );
        answer
    }

    /// How many events the log holds.
    pub async fn events(&self) -> i64 {
        sqlx::query_scalar("select count(*) from events")
            .fetch_one(&self.db.pool)
            .await
            .expect("the events can be counted")
    }

    pub async fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.stop().await.expect("the server stops");
        }
    }
}

/// A referral of a young person born on `born`, in Rotterdam-Zuid.
pub fn referral(name: &str, born: &str) -> Value {
    serde_json::json!({
        "subject": { "name": name, "date_of_birth": born, "address": null, "bsn": null },
        "focus_area": "rotterdam-zuid",
        "referred_by": "politie-rotterdam",
        "reason": "repeated nuisance near the metro station",
        "goal": "stop the nuisance, back to school",
        "referred_on": "2026-11-02"
    })
}

/// A development key of its own, for a test.
pub fn dev_key() -> DevKey {
    let dir = tempfile::tempdir().expect("a temporary directory");
    DevKey::load_or_create(dir.path()).expect("a development key")
}

/// The router alone (no projectors) on `db`, trusting `key`.
pub async fn router(db: &TestDb, key: &DevKey) -> axum::Router {
    router_with(db, key, Settings::default()).await
}

/// The router alone (no projectors) on `db`, trusting `key`, with `settings`.
pub async fn router_with(db: &TestDb, key: &DevKey, settings: Settings) -> axum::Router {
    casus_api::router(casus_api::AppState {
        pool: db.pool.clone(),
        store: std::sync::Arc::new(db.store(0).await),
        auth: std::sync::Arc::new(Authenticator::new(
            key.key_source(),
            dev::ISSUER,
            dev::AUDIENCE,
        )),
        settings: std::sync::Arc::new(settings),
        keyring: db.keyring.clone(),
        workers: std::sync::Arc::new(casus_api::Registry::new(db.pool.clone())),
        access_log: casus_api::AccessLog::start(db.pool.clone()),
    })
}
