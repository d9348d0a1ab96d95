//! The master key that wraps every young person's data key.

use std::path::{Path, PathBuf};

use casus_store::privacy::{Keyring, MasterKey};

use crate::secret;

/// The keyring from `CASUS_MASTER_KEY`, or in development from a key Casus
/// makes under the data directory.
pub fn keyring(
    configured: Option<&Path>,
    data_dir: &Path,
    production: bool,
) -> anyhow::Result<Keyring> {
    let path = match configured {
        Some(path) => path.to_owned(),
        None => {
            anyhow::ensure!(
                !production,
                "CASUS_ENV=production needs CASUS_MASTER_KEY: the file with the master key \
                 (64 hexadecimal characters) that seals personal data"
            );
            let path = development_key(data_dir);
            secret::create(&path, "master key", MasterKey::generate_hex)?;
            path
        }
    };
    let master = MasterKey::read(&path)?;
    Ok(Keyring::new(master))
}

pub fn development_key(data_dir: &Path) -> PathBuf {
    data_dir.join("master-key")
}
