//! The `casus` binary as a user runs it.

use std::ffi::OsStr;
use std::process::{Command, Output};

use casus_store::privacy::index::{index_missing, Probe};
use casus_store::privacy::{Keyring, MasterKey};

use crate::support::TestDb;

fn casus() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_casus"));
    command.env_remove("DATABASE_URL").env("RUST_LOG", "warn");
    command
}

/// Runs `casus migrate` with one setting in its environment.
fn migrate(key: &str, value: impl AsRef<OsStr>) -> Output {
    casus().arg("migrate").env(key, value).output().unwrap()
}

fn assert_succeeded(output: &Output) {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test]
async fn migrate_applies_the_event_store_and_reference_data() {
    let db = TestDb::new().await;
    let output = migrate("DATABASE_URL", db.url());

    assert_succeeded(&output);
    assert!(String::from_utf8_lossy(&output.stdout).contains("up to date"));
    let (areas, municipalities): (i64, i64) = sqlx::query_as(
        "select (select count(*) from focus_areas), (select count(*) from municipalities)",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!((areas, municipalities), (20, 19));
}

#[test]
fn a_bad_database_url_is_a_plain_error() {
    let output = migrate("DATABASE_URL", "mysql://nobody@localhost/casus");

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("casus: DATABASE_URL is not a valid PostgreSQL URL"),
        "{stderr}"
    );
}

/// Without `DATABASE_URL`, `casus migrate` creates a private cluster in the
/// data directory, uses it, and stops it on exit; a second run reuses it.
#[test]
fn without_a_database_url_casus_runs_its_own_cluster() {
    use std::os::unix::fs::PermissionsExt;
    let data = tempfile::tempdir().unwrap();
    // The cluster may run as another user (when tests run as root): let it in.
    std::fs::set_permissions(data.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    for _ in 0..2 {
        assert_succeeded(&migrate("CASUS_DATA_DIR", data.path()));
    }
    // The log goes to a pipe here: plain text, no colour codes.
    let logged = casus()
        .arg("migrate")
        .env("CASUS_DATA_DIR", data.path())
        .env("RUST_LOG", "info")
        .output()
        .unwrap();
    assert_succeeded(&logged);
    let stderr = String::from_utf8_lossy(&logged.stderr);
    assert!(stderr.contains("private PostgreSQL cluster"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "{stderr}");
    let cluster = data.path().join("postgres");
    assert!(cluster.join("PG_VERSION").exists());
    assert!(
        !cluster.join("postmaster.pid").exists(),
        "the cluster was not stopped"
    );
}

/// A free TCP port on the loopback address.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Two servers on one data directory share its private cluster: stopping
/// either leaves the other serving, and the last one stops the cluster.
/// (The first to stop used to stop the cluster under the second, which
/// answered 503 for good.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_share_one_private_cluster_and_the_last_stops_it() {
    use std::os::unix::fs::PermissionsExt;
    let data = tempfile::tempdir().unwrap();
    std::fs::set_permissions(data.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let serve = |port: u16| {
        casus()
            .arg("serve")
            .env("CASUS_DATA_DIR", data.path())
            .env("CASUS_LISTEN", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "info")
            .env("CASUS_LOG_FORMAT", "json")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let ready = |port: u16| async move {
        for _ in 0..300 {
            if http_get(port, "/ready").await.starts_with("HTTP/1.1 200") {
                return true;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        false
    };
    let stop = |server: std::process::Child| {
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(server.id() as i32),
            nix::sys::signal::Signal::SIGINT,
        )
        .unwrap();
        let output = server.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&[output.stdout, output.stderr].concat()).into_owned()
    };
    let (a, b) = (free_port(), free_port());
    let first = serve(a);
    assert!(ready(a).await, "the first server is ready");
    let second = serve(b);
    assert!(ready(b).await, "the second server is ready");

    let first_log = stop(first);
    assert!(
        first_log.contains("left the private PostgreSQL cluster running"),
        "{first_log}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(ready(b).await, "the second server still serves");
    let pid = data.path().join("postgres/postmaster.pid");
    assert!(pid.exists(), "the cluster runs on");

    let second_log = stop(second);
    assert!(
        second_log.contains("found the private PostgreSQL cluster running"),
        "{second_log}"
    );
    assert!(
        second_log.contains("stopped the private PostgreSQL cluster"),
        "{second_log}"
    );
    assert!(!pid.exists(), "the last server stopped the cluster");
}

#[tokio::test]
async fn rebuild_replays_a_view_and_reports_its_rate() {
    let db = TestDb::new().await;
    let store = std::sync::Arc::new(db.store(0).await);
    let events = crate::workload::run(store, 20, 2, 1).await;

    let output = casus()
        .args(["rebuild", "case_timeline"])
        .envs(db.env())
        .output()
        .unwrap();

    assert_succeeded(&output);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(&format!("case_timeline: rebuilt from {events} events")),
        "{stdout}"
    );
    assert!(stdout.contains("events/s"), "{stdout}");
    let rows: i64 = sqlx::query_scalar("select count(*) from case_timeline")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(rows as u64, events);
}

#[tokio::test]
async fn rebuild_of_an_unknown_view_names_the_views() {
    let db = TestDb::new().await;
    let output = casus()
        .args(["rebuild", "cases"])
        .envs(db.env())
        .output()
        .unwrap();

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("there is no view \"cases\"; the views are: social_case_view"),
        "{stderr}"
    );
}

/// A plain HTTP/1.1 GET, retried while the server starts.
async fn http_get(port: u16, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    for _ in 0..100 {
        if let Ok(mut stream) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
            let request =
                format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            stream.write_all(request.as_bytes()).await.unwrap();
            let mut response = String::new();
            stream.read_to_string(&mut response).await.unwrap();
            return response;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the server did not listen on {port}");
}

/// `casus serve` answers HTTP, keeps the views up to date as commands come
/// in, and on SIGTERM finishes the requests under way and stops cleanly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_projects_new_events_until_terminated() {
    use casus_domain::testing::referral;
    use casus_domain::{CaseCommand, CaseId};
    use casus_projections::wait::{wait_for_version, Versioned};
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let db = TestDb::new().await;
    let data = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = casus()
        .arg("serve")
        .envs(db.env())
        .env("CASUS_DATA_DIR", data.path())
        .env("CASUS_LISTEN", format!("127.0.0.1:{port}"))
        .spawn()
        .unwrap();
    let store = db.store(0).await;
    let case = CaseId::new();
    let written = store
        .execute(
            case,
            CaseCommand::ReferCase(referral()).on(casus_domain::testing::today()),
            &crate::workload::metadata(),
        )
        .await
        .unwrap();

    let seen = wait_for_version(
        &db.pool,
        Versioned::Caseload,
        case,
        written.version,
        Duration::from_secs(20),
    )
    .await
    .unwrap();
    let health = http_get(port, "/health").await;
    // A note whose body is still on its way when the server is told to stop.
    let token = casus()
        .args([
            "token",
            "--sub",
            "w-1",
            "--name",
            "Sanne",
            "--org",
            "gemeente-rotterdam",
        ])
        .args([
            "--domain",
            "social",
            "--roles",
            "case_worker",
            "--municipality",
            "GM0599",
        ])
        .args(["--team", "zuid-1"])
        .env("CASUS_DATA_DIR", data.path())
        .output()
        .unwrap()
        .stdout;
    let body = r#"{"confidentiality": "shared", "text": "written while stopping"}"#;
    let head = format!(
        "POST /api/v1/cases/{case}/notes HTTP/1.1\r\nHost: casus\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        String::from_utf8(token).unwrap().trim(),
        body.len()
    );
    let mut under_way = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    under_way.write_all(head.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(server.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    under_way.write_all(body.as_bytes()).await.unwrap();
    let mut drained = String::new();
    under_way.read_to_string(&mut drained).await.unwrap();
    let status = server.wait().unwrap();

    assert!(
        drained.starts_with("HTTP/1.1 200"),
        "the request under way is answered: {drained}"
    );
    assert!(seen, "the server did not project the new case");
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(status.success(), "{status}");
}

#[test]
fn without_a_postgresql_installation_casus_says_what_to_do() {
    let data = tempfile::tempdir().unwrap();
    let output = casus()
        .arg("migrate")
        .env("CASUS_DATA_DIR", data.path())
        .env("CASUS_PG_BIN", data.path().join("no-postgresql-here"))
        .output()
        .unwrap();

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no PostgreSQL installation found: install PostgreSQL"),
        "{stderr}"
    );
    assert!(stderr.contains("set DATABASE_URL"), "{stderr}");
    // A command that fails before it needs its keys makes none.
    assert!(!data.path().join("master-key").exists());
    assert!(!data.path().join("audit-signing-key").exists());
}

/// `DATABASE_URL` naming the server's own database is refused before a
/// table is made there (it migrated two dozen tables into `postgres`).
#[tokio::test]
async fn the_servers_maintenance_database_is_refused() {
    let db = TestDb::new().await;
    let mut url = url::Url::parse(&db.url()).unwrap();
    url.set_path("/postgres");
    let refused = migrate("DATABASE_URL", url.as_str());
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("names the database `postgres`"), "{stderr}");
    let (tables,): (i64,) =
        sqlx::query_as("select count(*) from pg_tables where tablename = 'events'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(tables, 1, "the test's own database has its tables");
}

/// A date on the command line that is not one says how it is written; a
/// wrong argument is a usage error (exit 2), as every clap program's.
#[test]
fn a_wrong_date_on_the_command_line_says_its_form() {
    let output = casus()
        .args(["retention", "--as-of", "tomorrow"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("write it YYYY-MM-DD"), "{stderr}");
}

/// The API's contact is checked before anything starts: all three parts,
/// an email address and an http(s) page.
#[test]
fn a_wrong_api_contact_is_a_usage_error() {
    let cases: [(&[&str], &str); 3] = [
        (
            &[
                "--contact-name",
                "Servicedesk",
                "--contact-email",
                "servicedesk",
                "--contact-url",
                "https://gemeente.example/api",
            ],
            "not an email address",
        ),
        (
            &[
                "--contact-name",
                "Servicedesk",
                "--contact-email",
                "api@gemeente.example",
                "--contact-url",
                "ftp://gemeente.example",
            ],
            "not an http(s) URL",
        ),
        (&["--contact-name", "Servicedesk"], "--contact-email"),
    ];
    for (args, says) in cases {
        let output = casus().arg("serve").args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
}

/// A command's help shows its own options, then the few that every
/// command takes; the server's options only where the server is started.
#[test]
fn a_commands_help_lists_what_it_takes() {
    let help = |args: &[&str]| {
        let output = casus().args(args).arg("--help").output().unwrap();
        assert_succeeded(&output);
        String::from_utf8(output.stdout).unwrap()
    };
    let token = help(&["token"]);
    let (own, global) = token.split_once("Global options:").expect("a heading");
    assert!(
        own.contains("--sub") && !own.contains("--data-dir"),
        "{token}"
    );
    assert!(global.contains("--data-dir"), "{token}");
    assert!(
        !token.contains("--listen") && !token.contains("--jwks"),
        "{token}"
    );
    for serving in [help(&["serve"]), help(&[])] {
        assert!(
            serving.contains("--listen") && serving.contains("--jwks"),
            "{serving}"
        );
    }
}

#[test]
fn an_unreachable_database_says_why() {
    let output = migrate("DATABASE_URL", "postgres://postgres@127.0.0.1:1/casus");

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("casus: cannot connect to PostgreSQL at 127.0.0.1:1, database casus:"),
        "{stderr}"
    );
    // The cause once, on one line.
    assert_eq!(stderr.matches("refused").count(), 1, "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

/// `casus token` signs with the key under the data directory; production
/// mode refuses development tokens and a server without an identity provider.
#[test]
fn development_tokens_and_their_refusal_in_production() {
    let data = tempfile::tempdir().unwrap();
    let token = |env: &str| {
        casus()
            .args([
                "token",
                "--sub",
                "w-1",
                "--name",
                "Sanne",
                "--org",
                "gemeente-rotterdam",
            ])
            .args(["--domain", "social", "--roles", "case_worker,case_lead"])
            .args(["--municipality", "GM0599", "--team", "zuid-1"])
            .env("CASUS_DATA_DIR", data.path())
            .env("CASUS_ENV", env)
            .output()
            .unwrap()
    };
    let made = token("development");
    assert_succeeded(&made);
    let jwt = String::from_utf8(made.stdout).unwrap();
    assert_eq!(jwt.trim().split('.').count(), 3, "{jwt}");
    let key = casus_api::auth::dev::DevKey::path(data.path());
    assert!(key.exists());
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
        0o600
    );

    let refused = token("production");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr)
        .starts_with("casus: development tokens are refused"));

    let serve = casus()
        .arg("serve")
        .env("CASUS_DATA_DIR", data.path())
        .env("CASUS_ENV", "production")
        .output()
        .unwrap();
    assert!(!serve.status.success());
    let stderr = String::from_utf8_lossy(&serve.stderr);
    assert!(
        stderr.contains("casus: CASUS_ENV=production needs an identity provider"),
        "{stderr}"
    );
}

/// Production never makes a master key of its own: personal data would be
/// sealed with a key nobody manages.
#[test]
fn production_needs_a_master_key() {
    let data = tempfile::tempdir().unwrap();
    let migrate = casus()
        .arg("migrate")
        .env("CASUS_DATA_DIR", data.path())
        .env("CASUS_ENV", "production")
        .env_remove("CASUS_MASTER_KEY")
        .output()
        .unwrap();
    assert!(!migrate.status.success());
    let stderr = String::from_utf8_lossy(&migrate.stderr);
    assert!(
        stderr.starts_with("casus: CASUS_ENV=production needs CASUS_MASTER_KEY"),
        "{stderr}"
    );
    assert!(!data.path().join("master-key").exists());
}

/// Nor an audit key of its own: events signed with a key nobody keeps
/// prove nothing to an auditor.
#[test]
fn production_needs_an_audit_key() {
    let data = tempfile::tempdir().unwrap();
    let master = data.path().join("configured-master-key");
    std::fs::write(&master, casus_store::privacy::MasterKey::generate_hex()).unwrap();
    let migrate = casus()
        .arg("migrate")
        .env("CASUS_DATA_DIR", data.path())
        .env("CASUS_ENV", "production")
        .env("CASUS_MASTER_KEY", &master)
        .env_remove("CASUS_AUDIT_KEY")
        .output()
        .unwrap();
    assert!(!migrate.status.success());
    let stderr = String::from_utf8_lossy(&migrate.stderr);
    assert!(
        stderr.starts_with("casus: CASUS_ENV=production needs CASUS_AUDIT_KEY"),
        "{stderr}"
    );
    assert!(!data.path().join("audit-signing-key").exists());
}

#[test]
fn a_token_with_an_unknown_role_is_refused_before_it_is_made() {
    let data = tempfile::tempdir().unwrap();
    let output = casus()
        .args([
            "token", "--sub", "w-1", "--name", "S", "--org", "o", "--domain", "social",
        ])
        .args(["--roles", "superuser"])
        .env("CASUS_DATA_DIR", data.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("claim `roles`"), "{stderr}");
}

/// `casus verify` says ok, signs a receipt, checks it after more events;
/// after a tamper it names the case and fails, and so does the receipt.
/// `casus export` prints the case with its hashes.
#[tokio::test]
async fn verify_receipts_and_export_on_the_command_line() {
    use casus_domain::testing::{referral, triage};
    use casus_domain::{CaseCommand, CaseId, TriageDecision};

    let db = TestDb::new().await;
    let data = tempfile::tempdir().unwrap();
    let receipt = data.path().join("receipt.json");
    let run = |args: &[&str]| {
        casus()
            .args(args)
            .envs(db.env())
            .env("CASUS_DATA_DIR", data.path())
            .output()
            .unwrap()
    };
    let store = db.store(0).await;
    let case = CaseId::new();
    let metadata = crate::workload::metadata();
    store
        .execute(
            case,
            CaseCommand::ReferCase(referral()).on(casus_domain::testing::today()),
            &metadata,
        )
        .await
        .unwrap();

    let made = run(&["verify", "--receipt", receipt.to_str().unwrap()]);
    assert_succeeded(&made);
    let stdout = String::from_utf8_lossy(&made.stdout);
    assert!(
        stdout.contains("1 case, 1 event: every chain and signature holds"),
        "{stdout}"
    );
    store
        .execute(
            case,
            CaseCommand::DecideTriage(triage(TriageDecision::TakeOn))
                .on(casus_domain::testing::today()),
            &metadata,
        )
        .await
        .unwrap();
    let later = run(&["verify", "--against", receipt.to_str().unwrap()]);
    assert_succeeded(&later);
    assert!(String::from_utf8_lossy(&later.stdout).contains("extends the receipt"));

    // An export says who and why, as the access log needs.
    let unexplained = run(&["export", "--case", &case.to_string()]);
    assert!(!unexplained.status.success());
    assert!(String::from_utf8_lossy(&unexplained.stderr).contains("--reason"));
    let export = run(&[
        "export",
        "--case",
        &case.to_string(),
        "--reason",
        "inquiry 2026-17",
        "--as",
        "Auditor Rotterdam",
    ]);
    assert_succeeded(&export);
    let document: serde_json::Value = serde_json::from_slice(&export.stdout).unwrap();
    assert_eq!(document["events"].as_array().unwrap().len(), 2);
    assert_eq!(document["verification"]["ok"], true);
    let logged = document["access_log"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["action"] == "export")
        .expect("the export is in the access log")
        .clone();
    assert_eq!(logged["user_name"], "Auditor Rotterdam", "{logged}");
    assert_eq!(logged["purpose"], "inquiry 2026-17", "{logged}");

    let mut tx = db.pool.begin().await.unwrap();
    sqlx::query("set local session_replication_role = replica")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("update events set payload = jsonb_set(payload, '{CaseReferred,referred_on}', '\"2026-01-11\"') where sequence = 1")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let broken = run(&["verify", "--against", receipt.to_str().unwrap()]);
    assert!(!broken.status.success());
    let stdout = String::from_utf8_lossy(&broken.stdout);
    assert!(
        stdout.contains(&format!("case {case} sequence 1: Changed")),
        "{stdout}"
    );
    assert!(
        stdout.contains("but the chains above are broken"),
        "{stdout}"
    );
    assert!(
        String::from_utf8_lossy(&broken.stderr).starts_with("casus: the audit trail does not hold")
    );
}

/// Every event's type and content, personal data opened: the payloads are
/// sealed with each database's own keys, so they differ in their bytes.
async fn opened_history(db: &TestDb) -> String {
    let cases: Vec<String> = sqlx::query_scalar(
        "select aggregate_id from events group by aggregate_id order by min(global_position)",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let mut all = String::new();
    for case in cases {
        let case = case.parse().unwrap();
        for event in casus_store::audit::history::history(&db.pool, &db.keyring, case)
            .await
            .unwrap()
        {
            all += &format!("{}:{}|", event.event_type, event.content);
        }
    }
    all
}

/// `casus seed` writes cases the rules accept, through the hash chain, the
/// same ones for the same seed; the views take them in.
#[tokio::test]
async fn seed_writes_reproducible_cases_through_the_chain() {
    let (first, second) = (TestDb::new().await, TestDb::new().await);
    for db in [&first, &second] {
        let output = casus()
            .args([
                "seed",
                "--cases",
                "60",
                "--seed",
                "7",
                "--as-of",
                "2026-11-20",
            ])
            .envs(db.env())
            .output()
            .unwrap();
        assert_succeeded(&output);
        assert!(String::from_utf8_lossy(&output.stdout).starts_with("seeded 60 cases"));
    }

    let (a, b) = (opened_history(&first).await, opened_history(&second).await);
    assert!(a.contains("CaseReferred") && a.contains("ContactLogged") && a.contains("CaseClosed"));
    // The same people, lifecycles, dates and texts; only case ids and times differ.
    assert!(
        !a.contains("[erased]") && !a.contains("$sealed"),
        "opened with the key"
    );
    assert!(a == b, "the same seed wrote other cases");
    let report =
        casus_store::audit::chain::verify(&first.pool, &first.signer.verifying_key(), None, |_| {})
            .await
            .unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.streams, 60);
    // Every worker a seeded case names is known, so a supervisor can assign them.
    let unknown: i64 = sqlx::query_scalar(
        "select count(*) from events e
          where e.event_type = 'WorkerAssigned'
            and not exists (select from workers w
                             where w.id = e.payload->'WorkerAssigned'->>'id'
                               and w.municipality = (select c.payload->'CaseReferred'->>'municipality'
                                                       from events c
                                                      where c.aggregate_id = e.aggregate_id
                                                        and c.sequence = 1))",
    )
    .fetch_one(&first.pool)
    .await
    .unwrap();
    assert_eq!(unknown, 0);

    let rebuilt = casus().arg("rebuild").envs(first.env()).output().unwrap();
    assert_succeeded(&rebuilt);
    let (cases, open): (i64, i64) =
        sqlx::query_as("select count(*), count(*) filter (where stage <> 'closed') from caseload")
            .fetch_one(&first.pool)
            .await
            .unwrap();
    assert_eq!(cases, 60);
    assert!(
        open > 0 && open < 60,
        "a mix of open and closed cases: {open}"
    );
    // As of its day, a seeded caseload looks like a real one: nothing after
    // that day, most open cases seen lately, reviews due soon and a few overdue.
    let (active, future, recent, due_soon, overdue): (i64, i64, i64, i64, i64) = sqlx::query_as(
        "select count(*), count(*) filter (where c.last_contact_on > $1),
                count(*) filter (where c.last_contact_on >= $1 - 30),
                count(*) filter (where r.due between $1 and $1 + 28),
                count(*) filter (where r.due < $1)
           from caseload c
           left join lateral (select min(due_on) as due from case_reviews
                               where case_id = c.case_id and completed_on is null) r on true
          where c.stage not in ('closed', 'referred', 'triaged')",
    )
    .bind(chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap())
    .fetch_one(&first.pool)
    .await
    .unwrap();
    assert_eq!(future, 0);
    assert!(
        recent * 2 > active,
        "{recent} of {active} open cases seen in 30 days"
    );
    assert!(
        due_soon > overdue,
        "{due_soon} reviews due soon, {overdue} overdue"
    );
}

/// `casus rotate-master-key`: every data key moves to the new master key; the
/// old one is refused from then on, the new one opens every case and finds
/// every young person in the blind index.
#[tokio::test]
async fn rotating_the_master_key_keeps_every_case_readable() {
    let db = TestDb::new().await;
    let seeded = casus()
        .args(["seed", "--cases", "5"])
        .envs(db.env())
        .output()
        .unwrap();
    assert_succeeded(&seeded);
    let projected = casus().arg("rebuild").envs(db.env()).output().unwrap();
    assert_succeeded(&projected);
    let keyring = |file: &std::path::Path| Keyring::new(MasterKey::read(file).unwrap());
    let old = keyring(&db.master_key());
    // The blind index of a database from before it is filled from the
    // referrals, as `casus serve` does when it starts.
    sqlx::query("delete from subject_index where subject_id in (select subject_id from subject_index limit 1)")
        .execute(&db.pool)
        .await
        .unwrap();
    let mut conn = db.pool.acquire().await.unwrap();
    assert_eq!(index_missing(&mut conn, &old, &old).await.unwrap(), 1);
    drop(conn);
    let indexed = |keyring: Keyring| {
        let pool = db.pool.clone();
        async move {
            let people: Vec<(String, chrono::NaiveDate)> =
                sqlx::query_as("select subject_name, date_of_birth from social_case_view")
                    .fetch_all(&pool)
                    .await
                    .unwrap();
            let mut found = 0;
            for (name, born) in people {
                let digest = keyring.index().digest(&Probe::NameAndBirth { name, born });
                let hit: bool = sqlx::query_scalar(
                    "select exists (select from subject_index where digest = $1)",
                )
                .bind(digest)
                .fetch_one(&pool)
                .await
                .unwrap();
                found += i32::from(hit);
            }
            found
        }
    };
    assert_eq!(indexed(old.clone()).await, 5);
    let dir = tempfile::tempdir().unwrap();
    let new_key = dir.path().join("new-master-key");
    std::fs::write(&new_key, casus_store::privacy::MasterKey::generate_hex()).unwrap();

    let rotated = casus()
        .args(["rotate-master-key", "--to"])
        .arg(&new_key)
        .envs(db.env())
        .output()
        .unwrap();
    assert_succeeded(&rotated);
    assert!(String::from_utf8_lossy(&rotated.stdout).starts_with("5 data keys now wrapped"));

    let with_old = casus().arg("rebuild").envs(db.env()).output().unwrap();
    assert!(!with_old.status.success());
    assert!(String::from_utf8_lossy(&with_old.stderr).contains("CASUS_MASTER_KEY is not the key"));
    let with_new = casus()
        .arg("rebuild")
        .envs(db.env())
        .env("CASUS_MASTER_KEY", &new_key)
        .output()
        .unwrap();
    assert_succeeded(&with_new);
    let names: Vec<Option<String>> =
        sqlx::query_scalar("select subject_name from social_case_view")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    assert_eq!(names.len(), 5);
    assert!(
        names.iter().all(Option::is_some),
        "every name opens with the new key"
    );
    // The index's key derives from the master key: its entries were made again.
    assert_eq!(indexed(keyring(&new_key)).await, 5);
    assert_eq!(indexed(old).await, 0);
}

/// The same seed makes the same young people: seeding one database twice
/// with it is refused with a message that says what to do, and changes nothing.
#[tokio::test]
async fn seeding_the_same_people_twice_is_refused_plainly() {
    let db = TestDb::new().await;
    let seed = |n: &str| {
        casus()
            .args(["seed", "--cases", "3", "--seed", n])
            .envs(db.env())
            .output()
            .unwrap()
    };
    assert_succeeded(&seed("9"));
    let count = || async {
        sqlx::query_scalar::<_, i64>("select count(*) from events")
            .fetch_one(&db.pool)
            .await
            .unwrap()
    };
    let events = count().await;
    let again = seed("9");
    assert!(!again.status.success());
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(
        stderr.contains("holds the young people of seed 9 already"),
        "{stderr}"
    );
    assert_eq!(count().await, events);
    assert_succeeded(&seed("10"));
}

#[tokio::test]
async fn notifications_lists_targets_replays_and_names_dead_letters() {
    let db = TestDb::new().await;
    let store = std::sync::Arc::new(db.store(0).await);
    let events = crate::workload::run(store, 5, 2, 1).await;
    sqlx::query(
        "insert into notification_targets (target, transaction_id, global_position, delivered, error, attempts, dead)
         values ('nats', '0', 0, 0, null, 0, false),
                ('webhook:01a22cc5-0000-7000-8000-000000000001', '0', 0, 3, 'the receiver answered 503', 10, true)",
    )
    .execute(&db.pool)
    .await
    .unwrap();
    let run = |args: &[&str]| casus().args(args).envs(db.env()).output().unwrap();

    let listed = run(&["notifications", "list"]);
    assert_succeeded(&listed);
    let stdout = String::from_utf8_lossy(&listed.stdout);
    let behind = format!("nats: position 0, 0 delivered, {events} events behind");
    assert!(stdout.contains(&behind), "{stdout}");
    assert!(stdout.contains("STOPPED (dead letter)"), "{stdout}");

    let dead = run(&["notifications", "dead-letters"]);
    let stdout = String::from_utf8_lossy(&dead.stdout);
    assert!(
        stdout.contains("webhook:01a22cc5-0000-7000-8000-000000000001: stopped"),
        "{stdout}"
    );
    assert!(!stdout.contains("nats"), "{stdout}");

    let replayed = run(&["notifications", "replay", "--target", "nats", "--from", "1"]);
    assert_succeeded(&replayed);
    let unknown = run(&[
        "notifications",
        "replay",
        "--target",
        "kafka",
        "--from",
        "1",
    ]);
    assert!(!unknown.status.success());
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert!(stderr.starts_with("casus: no target \"kafka\""), "{stderr}");
}
