//! A PostgreSQL cluster of the test's own (which it may stop, start and cut
//! connections of) and `casus serve` as a child process on it.

use std::path::PathBuf;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use casus::cluster::{Cluster, Durability};
use casus_api::auth::dev::{self, DevKey};
use casus_api::auth::Claims;
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::{ConnectOptions, Connection, PgPool};

const DATABASE: &str = "casus";
/// The server's request timeout in these tests, in seconds: longer than the
/// pool's wait for a connection (5 s), after which an outage is a 503.
pub const REQUEST_TIMEOUT: u64 = 10;

pub struct Rig {
    cluster: Option<Cluster>,
    cluster_dir: PathBuf,
    data: tempfile::TempDir,
    server: Option<Child>,
    pub pool: PgPool,
    pub api: Api,
}

/// The HTTP API of the rig's server, as its test worker.
#[derive(Clone)]
pub struct Api {
    client: reqwest::Client,
    base: String,
    token: String,
}

#[derive(Debug)]
pub struct Reply {
    /// `None`: no HTTP answer at all.
    pub status: Option<StatusCode>,
    pub retry_after: bool,
    pub took: Duration,
    pub body: Value,
}

impl Rig {
    /// A fresh cluster with the migrated database, and no server yet.
    pub async fn new() -> Self {
        let cluster_dir = tempfile::Builder::new()
            .prefix("casus-fault-")
            .tempdir()
            .unwrap()
            .keep();
        let cluster = Cluster::start(&cluster_dir, Durability::Ephemeral)
            .unwrap_or_else(|e| panic!("cannot start a PostgreSQL cluster for the test: {e}"));
        let mut admin = cluster.connect_options("postgres").connect().await.unwrap();
        sqlx::query(&format!("create database {DATABASE}"))
            .execute(&mut admin)
            .await
            .unwrap();
        admin.close().await.ok();
        let pool = casus_store::connect(cluster.connect_options(DATABASE), 4)
            .await
            .unwrap();
        casus_store::migrate(&pool).await.unwrap();
        let data = tempfile::tempdir().unwrap();
        std::fs::write(
            data.path().join("master-key"),
            casus_store::privacy::MasterKey::generate_hex(),
        )
        .unwrap();
        let key = DevKey::load_or_create(data.path()).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Self {
            cluster: Some(cluster),
            cluster_dir,
            data,
            server: None,
            pool,
            api: Api {
                client: reqwest::Client::builder()
                    .timeout(Duration::from_secs(REQUEST_TIMEOUT * 4))
                    .build()
                    .unwrap(),
                base: format!("http://127.0.0.1:{port}"),
                token: key.sign(&worker_claims()),
            },
        }
    }

    /// `casus` with this rig's database, master key and data directory.
    pub fn casus(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_casus"));
        let cluster = self.cluster.as_ref().expect("the cluster");
        command
            .env("DATABASE_URL", cluster.url(DATABASE))
            .env("CASUS_MASTER_KEY", self.data.path().join("master-key"))
            .env("CASUS_DATA_DIR", self.data.path())
            .env("CASUS_LISTEN", self.api.base.trim_start_matches("http://"))
            .env("CASUS_REQUEST_TIMEOUT", REQUEST_TIMEOUT.to_string())
            // The faults make the server log errors on purpose; the test judges.
            .env("RUST_LOG", "off");
        command
    }

    /// Starts `casus serve` and waits until it answers.
    pub async fn serve(&mut self) {
        assert!(self.server.is_none());
        self.server = Some(self.casus().arg("serve").spawn().unwrap());
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let health = self.api.client.get(self.api.url("/health")).send().await;
            if health.is_ok_and(|h| h.status().is_success()) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("casus serve did not come up");
    }

    /// kill -9: no chance to finish anything.
    pub fn kill(&mut self) {
        let mut server = self.server.take().expect("a running server");
        server.kill().unwrap();
        server.wait().unwrap();
    }

    pub fn stop_database(&self) {
        self.cluster.as_ref().unwrap().stop().unwrap();
    }

    pub fn start_database(&mut self) {
        self.cluster = Some(Cluster::start(&self.cluster_dir, Durability::Ephemeral).unwrap());
    }

    /// Waits until every view has applied every event.
    pub async fn caught_up(&self) {
        crate::support::caught_up(&self.pool).await;
    }

    /// Runs `casus rebuild` on the live database.
    pub fn rebuild(&self) {
        let output = self.casus().arg("rebuild").output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

impl Drop for Rig {
    fn drop(&mut self) {
        if let Some(mut server) = self.server.take() {
            server.kill().ok();
            server.wait().ok();
        }
        if let Some(cluster) = self.cluster.take() {
            cluster.stop().ok();
        }
        std::fs::remove_dir_all(&self.cluster_dir).ok();
    }
}

impl Api {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// POSTs `body` as the test's worker, with an idempotency key if given.
    pub async fn post(&self, path: &str, body: &Value, key: Option<&str>) -> Reply {
        let mut request = self
            .client
            .post(self.url(path))
            .bearer_auth(&self.token)
            .json(body);
        if let Some(key) = key {
            request = request.header("idempotency-key", key);
        }
        let started = Instant::now();
        match request.send().await {
            Ok(answer) => Reply {
                status: Some(answer.status()),
                retry_after: answer.headers().contains_key("retry-after"),
                took: started.elapsed(),
                body: answer.json().await.unwrap_or(Value::Null),
            },
            Err(_) => Reply {
                status: None,
                retry_after: false,
                took: started.elapsed(),
                body: Value::Null,
            },
        }
    }
}

fn worker_claims() -> Claims {
    let now = chrono::Utc::now().timestamp();
    Claims {
        sub: "w-fault".into(),
        name: "Fault Tester".into(),
        org: "gemeente-rotterdam".into(),
        domain: "social".into(),
        roles: vec!["case_worker".into()],
        municipality: Some("GM0599".into()),
        team: Some("zuid-1".into()),
        iss: dev::ISSUER.into(),
        aud: dev::AUDIENCE.into(),
        exp: now + 3600,
        nbf: Some(now - 5),
        iat: Some(now),
    }
}
