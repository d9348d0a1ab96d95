//! Test support: each test gets a fresh database with the migrations applied,
//! dropped afterwards. The server is the one in `DATABASE_URL` when set, or
//! else a private cluster that this test process starts (and a watchdog stops
//! and removes when the process ends).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use casus::cluster::{Cluster, Durability};
use casus_store::audit::signature::Signer;
use casus_store::privacy::{Keyring, MasterKey};
use casus_store::CaseStore;
use ed25519_dalek::SigningKey;
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection, PgPool};

/// How to reach the test server: connect options and a URL for a named database.
struct Server {
    options: PgConnectOptions,
    url: Box<dyn Fn(&str) -> String + Send + Sync>,
}

static SERVER: OnceLock<Server> = OnceLock::new();

fn server() -> &'static Server {
    SERVER.get_or_init(|| match std::env::var("DATABASE_URL") {
        Ok(url) => {
            let options = url
                .parse()
                .unwrap_or_else(|e| panic!("DATABASE_URL is not a PostgreSQL URL: {e}"));
            let base = url::Url::parse(&url).expect("DATABASE_URL is not a URL");
            Server {
                options,
                url: Box::new(move |database| {
                    let mut url = base.clone();
                    url.set_path(database);
                    url.to_string()
                }),
            }
        }
        Err(_) => private_cluster(),
    })
}

fn private_cluster() -> Server {
    let dir = tempfile::Builder::new()
        .prefix("casus-test-pg-")
        .tempdir()
        .expect("cannot make a directory for the test cluster")
        .keep();
    let cluster = Cluster::start(&dir, Durability::Ephemeral).unwrap_or_else(|e| {
        panic!("DATABASE_URL is not set and no private PostgreSQL cluster could be started: {e}")
    });
    watch(&cluster);
    let (options, url_cluster) = (cluster.connect_options("postgres"), cluster);
    Server {
        options,
        url: Box::new(move |database| url_cluster.url(database)),
    }
}

/// Stops the cluster and removes its directory once this test process is gone.
#[allow(
    clippy::zombie_processes,
    reason = "the watchdog must outlive this process; init reaps it"
)]
fn watch(cluster: &Cluster) {
    use std::os::unix::process::CommandExt;
    let postmaster = cluster
        .postmaster_pid()
        .expect("the test cluster has no postmaster");
    std::process::Command::new("sh")
        .arg("-c")
        .arg(
            r#"while kill -0 "$0" 2>/dev/null; do sleep 1; done
               kill -INT "$1" 2>/dev/null
               while kill -0 "$1" 2>/dev/null; do sleep 0.2; done
               rm -rf "$2""#,
        )
        .arg(std::process::id().to_string())
        .arg(postmaster.to_string())
        .arg(cluster.dir())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .process_group(0)
        .spawn()
        .expect("cannot start the watchdog of the test cluster");
}

pub struct TestDb {
    pub pool: PgPool,
    /// Seals personal data; its master key is in `master_key()` for child processes.
    pub keyring: Keyring,
    /// Signs what Casus writes; its key is in `audit_key()` for child processes.
    pub signer: Signer,
    name: String,
    key_dir: tempfile::TempDir,
}

impl TestDb {
    pub async fn new() -> Self {
        let db = Self::unmigrated().await;
        casus_store::migrate(&db.pool)
            .await
            .expect("migrations failed");
        db
    }

    /// A fresh database without the migrations, e.g. to apply only the first ones.
    pub async fn unmigrated() -> Self {
        let server = server();
        let name = format!("casus_test_{}", uuid::Uuid::now_v7().simple());
        let mut admin = server
            .options
            .connect()
            .await
            .unwrap_or_else(|e| panic!("cannot connect to the test PostgreSQL: {e}"));
        sqlx::query(&format!("create database {name}"))
            .execute(&mut admin)
            .await
            .expect("cannot create the test database");
        admin.close().await.ok();
        let pool = casus_store::connect(server.options.clone().database(&name), 40)
            .await
            .expect("cannot connect to the test database");
        let key_dir = tempfile::tempdir().expect("a temporary directory");
        let key = key_dir.path().join("master-key");
        std::fs::write(&key, MasterKey::generate_hex()).expect("a master key file");
        let keyring = Keyring::new(MasterKey::read(&key).expect("the master key"));
        let signing = SigningKey::generate(&mut rand::rngs::OsRng);
        std::fs::write(
            key_dir.path().join("audit-key"),
            hex::encode(signing.as_bytes()),
        )
        .expect("an audit key file");
        Self {
            pool,
            keyring,
            signer: Signer::new(signing),
            name,
            key_dir,
        }
    }

    /// The file with this database's master key.
    pub fn master_key(&self) -> std::path::PathBuf {
        self.key_dir.path().join("master-key")
    }

    /// The file with this database's audit key.
    pub fn audit_key(&self) -> std::path::PathBuf {
        self.key_dir.path().join("audit-key")
    }

    /// The environment a `casus` child process needs to work on this database.
    pub fn env(&self) -> [(&'static str, std::ffi::OsString); 3] {
        [
            ("DATABASE_URL", self.url().into()),
            ("CASUS_MASTER_KEY", self.master_key().into()),
            ("CASUS_AUDIT_KEY", self.audit_key().into()),
        ]
    }

    /// A URL for this database, for child processes.
    pub fn url(&self) -> String {
        (server().url)(&self.name)
    }

    pub async fn store(&self, snapshot_every: usize) -> CaseStore {
        let programme = casus_store::load_programme(&self.pool)
            .await
            .expect("cannot load the programme");
        CaseStore::new(
            self.pool.clone(),
            self.keyring.clone(),
            self.signer.clone(),
            programme,
            snapshot_every,
        )
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        let options = server().options.clone();
        // Drop runs inside the test's runtime; a thread with its own runtime
        // may block on the drop without stalling it.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async {
                let mut admin = options.connect().await?;
                sqlx::query(&format!("drop database if exists {name} with (force)"))
                    .execute(&mut admin)
                    .await?;
                admin.close().await
            })
        })
        .join();
        if let Ok(Err(e)) = dropped {
            eprintln!("could not drop test database {}: {e}", self.name);
        }
    }
}

/// Every view table and its key, for comparing whole tables.
pub const TABLES: [(&str, &str); 18] = [
    ("social_case_view", "case_id"),
    ("justice_case_view", "case_id"),
    ("case_plan", "case_id"),
    ("case_goals", "case_id, goal_id"),
    ("case_interventions", "case_id, intervention_id"),
    ("case_reviews", "case_id, review_id"),
    ("case_timeline", "case_id, sequence"),
    ("timeline_interventions", "case_id, intervention_id"),
    ("caseload", "case_id"),
    ("caseload_assignments", "case_id, worker_id"),
    ("caseload_partners", "case_id, partner"),
    ("caseload_consents", "case_id, consent_id"),
    ("caseload_contacts", "case_id, sequence"),
    ("social_case_contacts", "case_id, sequence"),
    ("justice_case_contacts", "case_id, sequence"),
    ("statistics_cases", "case_id"),
    ("statistics_facts", "case_id, sequence"),
    ("projection_checkpoints", "view"),
];

pub async fn dump(pool: &PgPool) -> BTreeMap<&'static str, Vec<String>> {
    let mut tables = BTreeMap::new();
    for (table, key) in TABLES {
        // Checkpoints differ in when and how fast they were written, not where they are.
        let columns = if table == "projection_checkpoints" {
            "view, view_version, transaction_id, global_position"
        } else {
            "*"
        };
        let rows: Vec<String> = sqlx::query_scalar(&format!(
            "select row_to_json(t)::text from (select {columns} from {table} order by {key}) t"
        ))
        .fetch_all(pool)
        .await
        .unwrap();
        tables.insert(table, rows);
    }
    tables
}

/// Waits until every view has applied every event of the log.
pub async fn caught_up(pool: &PgPool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let behind: Result<i64, _> = sqlx::query_scalar(
            "select count(*) from projection_checkpoints
              where events_applied < (select count(*) from events)",
        )
        .fetch_one(pool)
        .await;
        if behind.is_ok_and(|n| n == 0) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the views did not catch up"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
