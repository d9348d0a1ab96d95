//! A private PostgreSQL cluster, run from the PostgreSQL installed on the
//! machine, for when no `DATABASE_URL` is given: the embedded default of the
//! `casus` binary, and of the tests on a machine without a running server.
//!
//! It listens on a Unix socket inside its own directory only (no TCP port to
//! collide with, nobody else to reach it), with trust authentication. When
//! Casus runs as root, the cluster runs as the unprivileged `postgres` (or
//! `nobody`) user, since PostgreSQL refuses to run as root.
//!
//! Several `casus` processes may share one cluster (two servers on one data
//! directory, or a server and `casus verify`). Each holds a shared lock on
//! `<dir>.lock` while it uses the cluster; the one that leaves last (it gets
//! the lock exclusively) stops it. The kernel drops the lock of a process
//! that dies, even by SIGKILL: the cluster then runs on, and the next
//! `casus` finds it running, uses it, and stops it when it leaves last.

use std::ffi::OsStr;
use std::fs::{self, File};
use std::os::unix::fs::{chown, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use nix::fcntl::{Flock, FlockArg};
use nix::unistd::{Gid, Uid, User};
use sqlx::postgres::PgConnectOptions;

const PORT: u16 = 5432;
const SUPERUSER: &str = "postgres";
/// A Unix socket path holds at most 107 bytes; the name takes 14 of them.
const MAX_SOCKET_DIR: usize = 107 - ".s.PGSQL.5432".len() - 1;

#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error(
        "no PostgreSQL installation found: install PostgreSQL (its server binaries initdb and pg_ctl), \
         point CASUS_PG_BIN at their directory, or set DATABASE_URL to a running server"
    )]
    NotInstalled,
    #[error(
        "the data directory {0} is too long for a Unix socket: choose a shorter CASUS_DATA_DIR"
    )]
    PathTooLong(PathBuf),
    #[error("{0}: {1}")]
    Io(String, #[source] std::io::Error),
    #[error("running as root, but there is neither a `postgres` nor a `nobody` user to run PostgreSQL as")]
    NoUnprivilegedUser,
    #[error("{command} failed: {output}")]
    Command { command: String, output: String },
}

/// How the cluster is set up the first time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    /// Every commit reaches the disk: for data that matters.
    Durable,
    /// No fsync: for throw-away test clusters.
    Ephemeral,
}

#[derive(Debug)]
pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    owner: Option<(Uid, Gid)>,
    /// This process's share of the cluster: a shared lock, held while it
    /// uses it.
    lease: Flock<File>,
}

impl Cluster {
    /// Creates the cluster in `dir` on first use, and starts it unless it runs already.
    pub fn start(dir: &Path, durability: Durability) -> Result<Self, ClusterError> {
        let bin = find_binaries().ok_or(ClusterError::NotInstalled)?;
        let owner = unprivileged_owner()?;
        fs::create_dir_all(dir).map_err(|e| io(format!("cannot create {}", dir.display()), e))?;
        let dir = dir
            .canonicalize()
            .map_err(|e| io(format!("cannot resolve {}", dir.display()), e))?;
        if dir.as_os_str().len() > MAX_SOCKET_DIR {
            return Err(ClusterError::PathTooLong(dir));
        }
        // Waits while a last user stops the cluster, then shares it.
        let lock = dir.with_extension("lock");
        let file =
            File::create(&lock).map_err(|e| io(format!("cannot create {}", lock.display()), e))?;
        let lease = Flock::lock(file, FlockArg::LockShared).map_err(|(_, errno)| {
            io(
                format!("cannot lock {}", lock.display()),
                std::io::Error::from(errno),
            )
        })?;
        let cluster = Self {
            dir,
            bin,
            owner,
            lease,
        };
        cluster.prepare_directory()?;
        if !cluster.dir.join("PG_VERSION").exists() {
            cluster.init(durability)?;
            tracing::info!(dir = %cluster.dir.display(), "created the private PostgreSQL cluster");
        }
        cluster.write_settings()?;
        if cluster.is_running() {
            tracing::info!(
                dir = %cluster.dir.display(),
                "found the private PostgreSQL cluster running: another casus uses it, or one \
                 ended without stopping it; the last casus to leave stops it"
            );
        } else {
            cluster.pg_ctl(
                ["start", "-w", "-t", "60", "-l"],
                Some(&cluster.dir.join("server.log")),
            )?;
            tracing::info!(dir = %cluster.dir.display(), "started the private PostgreSQL cluster");
        }
        Ok(cluster)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Leaves the cluster: stops it if no other `casus` uses it, and
    /// otherwise leaves it running for them.
    pub fn leave(self) -> Result<(), ClusterError> {
        match self.lease.relock(FlockArg::LockExclusiveNonblock) {
            Ok(()) => {
                self.stop()?;
                tracing::info!(dir = %self.dir.display(), "stopped the private PostgreSQL cluster");
            }
            Err(_) => tracing::info!(
                dir = %self.dir.display(),
                "left the private PostgreSQL cluster running: another casus uses it"
            ),
        }
        Ok(())
    }

    pub fn connect_options(&self, database: &str) -> PgConnectOptions {
        PgConnectOptions::new()
            .socket(&self.dir)
            .port(PORT)
            .username(SUPERUSER)
            .database(database)
    }

    /// A URL for psql and other tools.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgresql:///{database}?host={}&port={PORT}&user={SUPERUSER}",
            self.dir.display()
        )
    }

    /// The postmaster's process id, while it runs.
    pub fn postmaster_pid(&self) -> Option<u32> {
        fs::read_to_string(self.dir.join("postmaster.pid"))
            .ok()?
            .lines()
            .next()?
            .trim()
            .parse()
            .ok()
    }

    /// Stops the cluster (fast shutdown: running transactions are rolled back).
    pub fn stop(&self) -> Result<(), ClusterError> {
        self.pg_ctl(["stop", "-w", "-m", "fast"], None).map(drop)
    }

    fn is_running(&self) -> bool {
        self.command("pg_ctl")
            .args([OsStr::new("status"), OsStr::new("-D"), self.dir.as_os_str()])
            .output()
            .is_ok_and(|o| o.status.success())
    }

    fn prepare_directory(&self) -> Result<(), ClusterError> {
        fs::set_permissions(&self.dir, fs::Permissions::from_mode(0o700)).map_err(|e| {
            io(
                format!("cannot set permissions on {}", self.dir.display()),
                e,
            )
        })?;
        if let Some((uid, gid)) = self.owner {
            chown(&self.dir, Some(uid.as_raw()), Some(gid.as_raw())).map_err(|e| {
                io(
                    format!("cannot hand {} to the postgres user", self.dir.display()),
                    e,
                )
            })?;
        }
        Ok(())
    }

    fn init(&self, durability: Durability) -> Result<(), ClusterError> {
        let mut initdb = self.command("initdb");
        initdb.arg("-D").arg(&self.dir).args([
            "-U",
            SUPERUSER,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
        ]);
        if durability == Durability::Ephemeral {
            initdb.arg("--no-sync");
        }
        run(initdb)?;
        let mut settings = String::from("\ninclude_if_exists = 'casus.conf'\n");
        if durability == Durability::Ephemeral {
            settings.push_str("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n");
        }
        let conf = self.dir.join("postgresql.conf");
        let mut text = fs::read_to_string(&conf)
            .map_err(|e| io(format!("cannot read {}", conf.display()), e))?;
        text.push_str(&settings);
        fs::write(&conf, text).map_err(|e| io(format!("cannot write {}", conf.display()), e))
    }

    /// Settings that follow the directory, rewritten on every start in case it moved.
    fn write_settings(&self) -> Result<(), ClusterError> {
        let socket_dir = self.dir.display().to_string().replace('\'', "''");
        let text = format!(
            "# Written by casus on every start.\nlisten_addresses = ''\nunix_socket_directories = '{socket_dir}'\nport = {PORT}\nmax_connections = 200\n"
        );
        let path = self.dir.join("casus.conf");
        fs::write(&path, text).map_err(|e| io(format!("cannot write {}", path.display()), e))?;
        if let Some((uid, gid)) = self.owner {
            chown(&path, Some(uid.as_raw()), Some(gid.as_raw()))
                .map_err(|e| io(format!("cannot chown {}", path.display()), e))?;
        }
        Ok(())
    }

    fn pg_ctl<const N: usize>(
        &self,
        args: [&str; N],
        log: Option<&Path>,
    ) -> Result<Output, ClusterError> {
        let mut pg_ctl = self.command("pg_ctl");
        pg_ctl.arg("-D").arg(&self.dir).args(args);
        if let Some(log) = log {
            pg_ctl.arg(log);
        }
        run(pg_ctl)
    }

    /// A PostgreSQL program, run as the cluster's owner from inside its directory.
    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(self.bin.join(program));
        command.current_dir(&self.dir).env_remove("PGDATA");
        if let Some((uid, gid)) = self.owner {
            command.uid(uid.as_raw()).gid(gid.as_raw());
        }
        command
    }
}

fn io(context: String, error: std::io::Error) -> ClusterError {
    ClusterError::Io(context, error)
}

fn run(mut command: Command) -> Result<Output, ClusterError> {
    let name = format!("{command:?}");
    let output = command
        .output()
        .map_err(|e| io(format!("cannot run {name}"), e))?;
    if output.status.success() {
        Ok(output)
    } else {
        Err(ClusterError::Command {
            command: name,
            output: String::from_utf8_lossy(&[output.stdout, output.stderr].concat())
                .trim()
                .to_owned(),
        })
    }
}

/// PostgreSQL refuses to run as root; as root, pick an unprivileged owner.
fn unprivileged_owner() -> Result<Option<(Uid, Gid)>, ClusterError> {
    if !Uid::effective().is_root() {
        return Ok(None);
    }
    ["postgres", "nobody"]
        .into_iter()
        .find_map(|name| User::from_name(name).ok().flatten())
        .map(|user| Some((user.uid, user.gid)))
        .ok_or(ClusterError::NoUnprivilegedUser)
}

/// The directory holding `initdb` and `pg_ctl`: `CASUS_PG_BIN`, then what
/// `pg_config` says, then the usual places of the packages, then `PATH`.
fn find_binaries() -> Option<PathBuf> {
    let has_server = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Some(dir) = std::env::var_os("CASUS_PG_BIN") {
        return Some(PathBuf::from(dir)).filter(|d| has_server(d));
    }
    let from_pg_config = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    if let Some(dir) = from_pg_config.filter(|d| has_server(d)) {
        return Some(dir);
    }
    // (parent directory, prefix of the versioned directory in it)
    let packages = [
        ("/usr/lib/postgresql", ""),
        ("/usr", "pgsql-"),
        ("/opt/homebrew/opt", "postgresql"),
        ("/usr/local/opt", "postgresql"),
    ];
    let mut packaged: Vec<PathBuf> = packages
        .iter()
        .flat_map(|(parent, prefix)| {
            fs::read_dir(parent)
                .into_iter()
                .flatten()
                .flatten()
                .filter(move |entry| entry.file_name().to_string_lossy().starts_with(prefix))
                .map(|entry| entry.path().join("bin"))
        })
        .filter(|d| has_server(d))
        .collect();
    // The newest major version: compare the numbers in the paths.
    packaged.sort_by_key(|d| {
        d.to_string_lossy()
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|n| n.parse::<u32>().ok())
            .collect::<Vec<_>>()
    });
    if let Some(dir) = packaged.pop() {
        return Some(dir);
    }
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .find(|d| has_server(d))
}
