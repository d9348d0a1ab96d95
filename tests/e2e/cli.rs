//! The `casus` binary as a user runs it.

use std::process::Command;

use crate::support::TestDb;

fn casus() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_casus"));
    command.env_remove("DATABASE_URL").env("RUST_LOG", "warn");
    command
}

#[tokio::test]
async fn migrate_applies_the_event_store_and_reference_data() {
    let db = TestDb::new().await;
    let output = casus()
        .arg("migrate")
        .env("DATABASE_URL", db.url())
        .output()
        .unwrap();

    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("up to date"));
    let areas: i64 = sqlx::query_scalar("select count(*) from focus_areas")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(areas, 20);
    let municipalities: i64 = sqlx::query_scalar("select count(*) from municipalities")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(municipalities, 19);
}

#[test]
fn a_bad_database_url_is_a_plain_error() {
    let output = casus()
        .arg("migrate")
        .env("DATABASE_URL", "mysql://nobody@localhost/casus")
        .output()
        .unwrap();

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
        let output = casus()
            .arg("migrate")
            .env("CASUS_DATA_DIR", data.path())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let cluster = data.path().join("postgres");
    assert!(cluster.join("PG_VERSION").exists());
    assert!(
        !cluster.join("postmaster.pid").exists(),
        "the cluster was not stopped"
    );
}
