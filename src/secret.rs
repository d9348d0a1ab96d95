//! Key files: configured, or in development made by Casus under its data
//! directory, when first needed.

use std::path::{Path, PathBuf};

use anyhow::Context;

/// Writes `make()` to `path`, readable by its owner only, unless the file is
/// there already.
pub fn create(path: &Path, what: &str, make: impl FnOnce() -> String) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    if path.exists() {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot write the {what} {}", path.display()))?;
    writeln!(file, "{}", make())?;
    Ok(())
}

/// A key file Casus reads: the configured one, or in development one it
/// makes under the data directory when first opened (so a command that
/// fails before it needs its keys leaves none behind).
pub struct KeyFile {
    path: PathBuf,
    what: &'static str,
    make: Option<fn() -> String>,
}

impl KeyFile {
    /// `configured` (from `variable`), or in development `data_dir/name`,
    /// made with `make`; production needs it configured.
    pub fn resolve(
        configured: Option<&Path>,
        data_dir: &Path,
        production: bool,
        variable: &str,
        what: &'static str,
        name: &str,
        make: fn() -> String,
    ) -> anyhow::Result<Self> {
        if let Some(path) = configured {
            return Ok(Self {
                path: path.to_owned(),
                what,
                make: None,
            });
        }
        anyhow::ensure!(
            !production,
            "CASUS_ENV=production needs {variable}: the file with the {what}"
        );
        Ok(Self {
            path: data_dir.join(name),
            what,
            make: Some(make),
        })
    }

    /// The file's path, made first if it is Casus's to make and missing.
    pub fn open(&self) -> anyhow::Result<&Path> {
        if let Some(make) = self.make {
            create(&self.path, self.what, make)?;
        }
        Ok(&self.path)
    }
}
