//! Key files that Casus makes for development.

use std::path::Path;

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
